"""Layer behaviour beyond the parity grid: packing, masks, shapes, Recurrent, dropout,
the weight hook, backend choice, state dicts, init, gradcheck and hypothesis shapes."""

from __future__ import annotations

import math
import warnings

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnnlab.layers import GRU, LSTM, RNN

PAIRS = {
    "tanh": (RNN, nn.RNN, {}),
    "relu": (RNN, nn.RNN, {"nonlinearity": "relu"}),
    "lstm": (LSTM, nn.LSTM, {}),
    "gru": (GRU, nn.GRU, {}),
}
BACKENDS = ["explicit", "fused"]


def as_tuple(state):
    return state if isinstance(state, tuple) else (state,)


def twins(kind, *args, **kw):
    """(torch.nn layer, {backend: rnnlab layer}) with the same weights."""
    ours_cls, torch_cls, extra = PAIRS[kind]
    ref = torch_cls(*args, **extra, **kw)
    ours = {b: ours_cls(*args, backend=b, **extra, **kw) for b in BACKENDS}
    for layer in ours.values():
        layer.load_state_dict(ref.state_dict())
    return ref, ours


def close(a, b, atol=1e-5):
    for p, q in zip(as_tuple(a), as_tuple(b), strict=True):
        torch.testing.assert_close(p, q, rtol=0, atol=atol)


@pytest.mark.parametrize("enforce_sorted", [False, True])
@pytest.mark.parametrize("kind", list(PAIRS))
def test_packed_in_packed_out_like_torch(kind, enforce_sorted):
    ref, ours = twins(kind, 3, 4, 2, bidirectional=True)
    lengths = [5, 4, 2, 1] if enforce_sorted else [2, 5, 1, 4]
    x = pack_padded_sequence(torch.randn(5, 4, 3), lengths, enforce_sorted=enforce_sorted)
    want_out, want_state = ref(x)
    for layer in ours.values():
        out, state = layer(x)
        assert isinstance(out, type(x))
        assert torch.equal(out.batch_sizes, want_out.batch_sizes)
        for a, b in [
            (out.sorted_indices, want_out.sorted_indices),
            (out.unsorted_indices, want_out.unsorted_indices),
        ]:
            assert (a is None and b is None) or torch.equal(a, b)
        close(out.data, want_out.data)
        close(state, want_state)
        h0 = tuple(torch.randn_like(s) for s in as_tuple(want_state))
        h0 = h0 if len(h0) == 2 else h0[0]
        close(layer(x, h0)[1], ref(x, h0)[1])  # an initial state in the caller's order


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("batch_first", [False, True])
def test_padding_mask_equals_lengths(backend, batch_first):
    layer = LSTM(3, 4, 2, batch_first=batch_first, bidirectional=True, backend=backend)
    lengths = torch.tensor([2, 5, 3])
    x = torch.randn((3, 5, 3) if batch_first else (5, 3, 3))
    mask = torch.arange(5).unsqueeze(1) < lengths  # (T, B)
    mask = mask.t() if batch_first else mask
    out_m, state_m = layer(x, lengths=mask)
    out_l, state_l = layer(x, lengths=lengths.tolist())
    close(out_m, out_l, atol=0)
    close(state_m, state_l, atol=0)
    time_dim = 1 if batch_first else 0
    assert not out_l.narrow(time_dim, 3, 2).select(1 - time_dim, 0).any()  # past the end: zero


@pytest.mark.parametrize("backend", BACKENDS)
def test_lengths_affect_only_what_is_past_the_end(backend):
    layer = GRU(3, 4, backend=backend)
    x = torch.randn(6, 2, 3)
    out, h = layer(x, lengths=[6, 3])
    full, _ = layer(x[:3, 1:])
    close(out[:3, 1:], full)
    close(h[0, 1], full[-1, 0])  # final state = state at the sequence's own last step
    close(out[:, :1], layer(x[:, :1])[0])


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("kind", list(PAIRS))
def test_unbatched_and_no_state_like_torch(kind, backend, batch_first):
    ref, ours = twins(kind, 3, 4, 2, bidirectional=True, batch_first=batch_first)
    layer = ours[backend]
    x = torch.randn(5, 3)  # (T, I) whatever batch_first says, as in torch.nn
    out, state = layer(x)
    want_out, want_state = ref(x)
    assert out.shape == (5, 8)
    close(out, want_out)
    close(state, want_state)
    h0 = tuple(torch.randn(4, 4) for _ in as_tuple(state))
    h0 = h0 if len(h0) == 2 else h0[0]
    close(layer(x, h0), ref(x, h0))


@pytest.mark.parametrize("kind", list(PAIRS))
def test_state_dict_round_trip_both_ways(kind):
    for bias in (True, False):
        ref, ours = twins(kind, 3, 4, 2, bias=bias, bidirectional=True)
        layer = ours["fused"]
        assert list(layer.state_dict()) == list(ref.state_dict())
        assert [p.shape for p in layer.parameters()] == [p.shape for p in ref.parameters()]
        fresh = type(ref)(3, 4, 2, bias=bias, bidirectional=True, **PAIRS[kind][2])
        fresh.load_state_dict(layer.state_dict())  # rnnlab -> torch
        x = torch.randn(4, 2, 3)
        close(fresh(x)[0], layer(x)[0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_dropout_only_between_layers_and_only_in_training(backend):
    layer = LSTM(3, 4, 2, dropout=0.5, backend=backend)
    plain = LSTM(3, 4, 2, backend=backend)
    plain.load_state_dict(layer.state_dict())
    x = torch.randn(5, 2, 3)
    close(layer.eval()(x), plain(x), atol=0)  # eval: no dropout
    out_train, _ = layer.train()(x)
    assert not torch.allclose(out_train, plain(x)[0])


def test_explicit_dropout_is_dropout_on_the_lower_layer_output():
    layer = GRU(3, 4, 2, dropout=0.3, backend="explicit").train()
    lower, upper = GRU(3, 4, backend="explicit"), GRU(4, 4, backend="explicit")
    lower.load_state_dict({k: v for k, v in layer.state_dict().items() if k.endswith("l0")})
    upper.load_state_dict(
        {k.replace("l1", "l0"): v for k, v in layer.state_dict().items() if k.endswith("l1")}
    )
    x = torch.randn(5, 2, 3)
    torch.manual_seed(7)
    out, _ = layer(x)
    torch.manual_seed(7)
    mid, _ = lower(x)
    close(out, upper(F.dropout(mid, 0.3, training=True))[0], atol=1e-6)


def test_dropout_with_one_layer_warns():
    with pytest.warns(UserWarning, match="no effect with num_layers=1"):
        RNN(3, 4, dropout=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        RNN(3, 4, 2, dropout=0.2)


@pytest.mark.parametrize("kind", list(PAIRS))
def test_auto_picks_fused_when_equivalent(kind):
    ours_cls, _, kw = PAIRS[kind]
    layer = ours_cls(3, 4, **kw)
    assert layer.backend == "auto" and layer.backend_used == "fused"
    assert "backend='fused' (auto)" in repr(layer)
    assert ours_cls(3, 4, backend="explicit", **kw).backend_used == "explicit"


def test_auto_picks_fused_for_sigmoid_through_the_tanh_kernel():
    layer = RNN(3, 4, nonlinearity="sigmoid")
    assert layer.backend_used == "fused" and "backend='fused' (auto)" in repr(layer)


@pytest.mark.parametrize("enforce_sorted", [False, True])
def test_sigmoid_packed_fused_equals_explicit(enforce_sorted):
    fused = RNN(3, 4, 2, "sigmoid", bidirectional=True)
    explicit = RNN(3, 4, 2, "sigmoid", bidirectional=True, backend="explicit")
    explicit.load_state_dict(fused.state_dict())
    lengths = [5, 4, 2, 1] if enforce_sorted else [2, 5, 1, 4]
    x = pack_padded_sequence(torch.randn(5, 4, 3), lengths, enforce_sorted=enforce_sorted)
    h0 = torch.rand(4, 4, 4)
    (out_f, h_f), (out_e, h_e) = fused(x, h0), explicit(x, h0)
    assert torch.equal(out_f.batch_sizes, out_e.batch_sizes)
    close(out_f.data, out_e.data)
    close(h_f, h_e)


def test_sigmoid_fused_dropout_is_the_explicit_dropout():
    fused = RNN(3, 4, 3, "sigmoid", dropout=0.4).train()
    explicit = RNN(3, 4, 3, "sigmoid", dropout=0.4, backend="explicit").train()
    explicit.load_state_dict(fused.state_dict())
    x = torch.randn(5, 2, 3)
    torch.manual_seed(3)
    out_f, h_f = fused(x)
    torch.manual_seed(3)
    out_e, h_e = explicit(x)  # the same masks: dropout on each lower layer's h, in order
    close(out_f, out_e, atol=1e-6)
    close(h_f, h_e, atol=1e-6)
    assert not torch.allclose(out_f, fused.eval()(x)[0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_float64_and_to(backend):
    layer = GRU(3, 4, 2, backend=backend).double()
    out, h = layer(torch.randn(5, 2, 3, dtype=torch.float64), lengths=[5, 2])
    assert out.dtype == h.dtype == torch.float64


@pytest.mark.parametrize(
    ("kind", "backend"),
    [("tanh", "explicit"), ("lstm", "explicit"), ("gru", "explicit"), ("sigmoid", "fused")],
)
def test_gradcheck_layer_with_lengths_float64(kind, backend):
    ours_cls, _, kw = PAIRS.get(kind, (RNN, None, {"nonlinearity": kind}))
    layer = ours_cls(2, 3, 2, bidirectional=True, backend=backend, dtype=torch.float64, **kw)
    x = torch.randn(4, 3, 2, dtype=torch.float64, requires_grad=True)
    names = [n for n, _ in layer.named_parameters()]

    def f(x, *params):
        out, state = torch.func.functional_call(
            layer, dict(zip(names, params, strict=True)), (x,), {"lengths": [4, 1, 3]}
        )
        return (out, *as_tuple(state))

    assert torch.autograd.gradcheck(f, (x, *layer.parameters()), fast_mode=True)


@pytest.mark.parametrize("kind", list(PAIRS))
def test_default_init_bound_orthogonal_and_forget_bias(kind):
    ours_cls, _, kw = PAIRS[kind]
    layer = ours_cls(3, 6, 2, bidirectional=True, **kw)
    assert all(p.abs().max() <= 1 / math.sqrt(6) for p in layer.parameters())
    layer = ours_cls(3, 6, 2, bidirectional=True, init="orthogonal", **kw)
    for name, p in layer.named_parameters():
        if "weight_hh" in name:
            for block in p.split(6):
                torch.testing.assert_close(block @ block.T, torch.eye(6), atol=1e-5, rtol=0)


@settings(max_examples=12, deadline=None)
@given(
    kind=st.sampled_from(list(PAIRS)),
    steps=st.integers(1, 5),
    batch=st.integers(1, 4),
    input_size=st.integers(1, 4),
    hidden_size=st.integers(1, 4),
    num_layers=st.integers(1, 2),
    bidirectional=st.booleans(),
    batch_first=st.booleans(),
    data=st.data(),
)
def test_property_shapes_and_backends_agree(
    kind, steps, batch, input_size, hidden_size, num_layers, bidirectional, batch_first, data
):
    lengths = data.draw(st.lists(st.integers(1, steps), min_size=batch, max_size=batch))
    ref, ours = twins(
        kind,
        input_size,
        hidden_size,
        num_layers,
        bidirectional=bidirectional,
        batch_first=batch_first,
    )
    x = torch.randn((batch, steps, input_size) if batch_first else (steps, batch, input_size))
    packed = pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=False)
    want_out, want_state = ref(packed)
    want_out, _ = pad_packed_sequence(want_out, batch_first=batch_first, total_length=steps)
    dirs = 2 if bidirectional else 1
    for layer in ours.values():
        out, state = layer(x, lengths=lengths)
        assert out.shape == (*x.shape[:2], dirs * hidden_size)
        assert as_tuple(state)[0].shape == (num_layers * dirs, batch, hidden_size)
        close(out, want_out)
        close(state, want_state)
