"""Cells against torch.nn cells on copied weights, gradcheck, gates, init, state dicts."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from rnnlab.cells import ElmanCell, GRUCell, LSTMCell, RecurrentCell

# (ours, torch peer, constructor kwargs); sigmoid Elman has no torch peer
PAIRS = [
    (ElmanCell, nn.RNNCell, {"nonlinearity": "tanh"}),
    (ElmanCell, nn.RNNCell, {"nonlinearity": "relu"}),
    (LSTMCell, nn.LSTMCell, {}),
    (GRUCell, nn.GRUCell, {}),
]
IDS = ["tanh", "relu", "lstm", "gru"]
ALL_CELLS = [
    (ElmanCell, {"nonlinearity": "tanh"}),
    (ElmanCell, {"nonlinearity": "relu"}),
    (ElmanCell, {"nonlinearity": "sigmoid"}),
    (LSTMCell, {}),
    (GRUCell, {}),
]
ALL_IDS = ["tanh", "relu", "sigmoid", "lstm", "gru"]


def random_state(cell, batch: int, dtype=torch.float32):
    shape = (batch, cell.hidden_size) if batch else (cell.hidden_size,)
    if isinstance(cell, (LSTMCell, nn.LSTMCell)):
        return (torch.randn(shape, dtype=dtype), torch.randn(shape, dtype=dtype))
    return torch.randn(shape, dtype=dtype)


def as_tuple(state):
    return state if isinstance(state, tuple) else (state,)


@pytest.mark.parametrize(("ours_cls", "torch_cls", "kw"), PAIRS, ids=IDS)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("batch", [3, 0], ids=["batched", "unbatched"])
def test_matches_torch_cell_values_and_gradients(ours_cls, torch_cls, kw, bias, batch):
    ours = ours_cls(5, 7, bias, **kw)
    ref = torch_cls(5, 7, bias, **kw)
    ref.load_state_dict(ours.state_dict())
    x = torch.randn((batch, 5) if batch else (5,), requires_grad=True)
    state = random_state(ours, batch)
    state = (
        tuple(s.requires_grad_() for s in state)
        if isinstance(state, tuple)
        else (state.requires_grad_())
    )
    h, new = ours(x, state)
    ref_out = ref(x, state)
    ref_state = ref_out if isinstance(ref_out, tuple) else (ref_out,)
    torch.testing.assert_close(h, ref_state[0], rtol=0, atol=1e-6)
    for a, b in zip(as_tuple(new), ref_state, strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-6)
    # gradients of a random functional of everything the step returns
    weights = [torch.randn_like(s) for s in ref_state]
    inputs = [x, *as_tuple(state)]
    g_ours = torch.autograd.grad(
        sum((w * s).sum() for w, s in zip(weights, as_tuple(new), strict=True)),
        [*inputs, *ours.parameters()],
    )
    g_ref = torch.autograd.grad(
        sum((w * s).sum() for w, s in zip(weights, ref_state, strict=True)),
        [*inputs, *ref.parameters()],
    )
    for a, b in zip(g_ours, g_ref, strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-5)


@pytest.mark.parametrize(("ours_cls", "torch_cls", "kw"), PAIRS, ids=IDS)
def test_state_dict_round_trip_both_ways(ours_cls, torch_cls, kw):
    ours, ref = ours_cls(4, 6, **kw), torch_cls(4, 6, **kw)
    assert list(ours.state_dict()) == list(ref.state_dict())
    ours.load_state_dict(ref.state_dict())  # torch -> rnnlab
    for name, p in ref.named_parameters():
        assert torch.equal(getattr(ours, name), p)
    fresh = torch_cls(4, 6, **kw)
    fresh.load_state_dict(ours.state_dict())  # rnnlab -> torch
    x = torch.randn(2, 4)
    out = fresh(x)
    out = out[0] if isinstance(out, tuple) else out
    torch.testing.assert_close(ours(x)[0], out)


@pytest.mark.parametrize(("cls", "kw"), ALL_CELLS, ids=ALL_IDS)
def test_gradcheck_float64(cls, kw):
    cell = cls(3, 4, dtype=torch.float64, **kw)
    x = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    state = random_state(cell, 2, torch.float64)
    state = (
        tuple(s.requires_grad_() for s in state)
        if isinstance(state, tuple)
        else (state.requires_grad_())
    )
    names = [n for n, _ in cell.named_parameters()]
    n_state = len(as_tuple(state))

    def step(x, *rest):  # every input and parameter as an argument, so gradcheck sees them all
        parts, values = rest[:n_state], rest[n_state:]
        state = parts[0] if n_state == 1 else tuple(parts)
        h, new = torch.func.functional_call(cell, dict(zip(names, values, strict=True)), (x, state))
        return (h, *as_tuple(new))

    assert torch.autograd.gradcheck(step, (x, *as_tuple(state), *cell.parameters()))


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu", "sigmoid"])
def test_elman_gate_is_the_equation(nonlinearity):
    cell = ElmanCell(3, 4, nonlinearity=nonlinearity)
    assert cell.nonlinearity == nonlinearity and cell.spec.name == f"elman-{nonlinearity}"
    x, h = torch.randn(2, 3), torch.randn(2, 4)
    a = x @ cell.weight_ih.T + cell.bias_ih + h @ cell.weight_hh.T + cell.bias_hh
    phi = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid}[nonlinearity]
    q = cell.gates(x, h)
    assert set(q) == {"h"}
    torch.testing.assert_close(q["h"], phi(a))
    torch.testing.assert_close(cell(x, h)[0], phi(a))


def test_lstm_gates_recombine_to_torch_step():
    cell, ref = LSTMCell(3, 5), nn.LSTMCell(3, 5)
    ref.load_state_dict(cell.state_dict())
    x, h, c = torch.randn(2, 3), torch.randn(2, 5), torch.randn(2, 5)
    q = cell.gates(x, (h, c))
    assert set(q) == {"i", "f", "g", "o"}
    h_ref, c_ref = ref(x, (h, c))
    c_new = q["f"] * c + q["i"] * q["g"]
    torch.testing.assert_close(c_new, c_ref)
    torch.testing.assert_close(q["o"] * torch.tanh(c_new), h_ref)
    assert all(((v > 0) & (v < 1)).all() for k, v in q.items() if k != "g")


def test_gru_gates_match_the_pytorch_definition():
    cell, ref = GRUCell(3, 5), nn.GRUCell(3, 5)
    ref.load_state_dict(cell.state_dict())
    x, h = torch.randn(2, 3), torch.randn(2, 5)
    w_ir, w_iz, w_in = cell.weight_ih.chunk(3)
    w_hr, w_hz, w_hn = cell.weight_hh.chunk(3)
    b_ir, b_iz, b_in = cell.bias_ih.chunk(3)
    b_hr, b_hz, b_hn = cell.bias_hh.chunk(3)
    r = torch.sigmoid(x @ w_ir.T + b_ir + h @ w_hr.T + b_hr)
    z = torch.sigmoid(x @ w_iz.T + b_iz + h @ w_hz.T + b_hz)
    n = torch.tanh(x @ w_in.T + b_in + r * (h @ w_hn.T + b_hn))  # r inside, on W_hn h + b_hn
    q = cell.gates(x, h)
    torch.testing.assert_close(q["r"], r)
    torch.testing.assert_close(q["z"], z)
    torch.testing.assert_close(q["n"], n)
    torch.testing.assert_close(cell(x, h)[0], ref(x, h))


@pytest.mark.parametrize(("cls", "kw"), ALL_CELLS, ids=ALL_IDS)
def test_none_state_is_zeros_and_init_state_shapes(cls, kw):
    cell = cls(3, 4, **kw)
    zero = cell.init_state(2)
    for s in as_tuple(zero):
        assert s.shape == (2, 4) and not s.any()
    x = torch.randn(2, 3)
    torch.testing.assert_close(cell(x)[0], cell(x, zero)[0])
    assert cell.num_gates == {"lstm": 4, "gru": 3}.get(cls.__name__[:-4].lower(), 1)
    assert (cell.input_size, cell.hidden_size) == (3, 4)
    assert cell.init_state(2, dtype=torch.float64)[0].dtype == torch.float64


@pytest.mark.parametrize(("cls", "kw"), ALL_CELLS, ids=ALL_IDS)
def test_default_init_is_pytorch_uniform(cls, kw):
    cell = cls(10, 64, **kw)
    bound = 1 / math.sqrt(64)
    for p in cell.parameters():
        assert p.abs().max() <= bound
        assert p.abs().max() > 0.9 * bound  # actually spread over the interval
        assert abs(p.mean()) < 0.2 * bound


@pytest.mark.parametrize(("cls", "kw"), ALL_CELLS, ids=ALL_IDS)
def test_orthogonal_init_gives_orthogonal_blocks(cls, kw):
    cell = cls(5, 8, init="orthogonal", **kw)
    for block in cell.weight_hh.split(8):
        torch.testing.assert_close(block @ block.T, torch.eye(8), atol=1e-5, rtol=0)
    assert cell.weight_ih.abs().max() <= 1 / math.sqrt(8)


@pytest.mark.parametrize("value", [1.0, 0.0, -2.5])
@pytest.mark.parametrize("cls", [LSTMCell, GRUCell])
def test_forget_bias_sets_b_ih_and_zeroes_b_hh_of_the_forget_gate(cls, value):
    cell = cls(3, 6, forget_bias=value)  # block 1: the LSTM's f, the GRU's update gate z
    gate = slice(6, 12)
    assert torch.equal(cell.bias_ih[gate], torch.full((6,), value))
    assert torch.equal(cell.bias_hh[gate], torch.zeros(6))
    others = torch.cat([cell.bias_ih[:6], cell.bias_ih[12:], cell.bias_hh[:6], cell.bias_hh[12:]])
    assert others.abs().max() <= 1 / math.sqrt(6) and others.std() > 0
    assert "forget_bias" in repr(cell)


def test_forget_bias_none_is_pytorch_init_draw_for_draw():
    torch.manual_seed(3)
    ours = GRUCell(3, 6)
    torch.manual_seed(3)
    ref = nn.GRUCell(3, 6)
    for a, b in zip(ours.parameters(), ref.parameters(), strict=True):
        assert torch.equal(a, b)


@pytest.mark.parametrize(
    ("name", "cls", "kw"),
    [("elman-sigmoid", ElmanCell, {"nonlinearity": "sigmoid"}), ("lstm", LSTMCell, {}),
     ("gru", GRUCell, {})],
)
def test_presets_are_the_generic_cell_by_name(name, cls, kw):
    torch.manual_seed(5)
    preset = cls(3, 4, **kw)
    torch.manual_seed(5)
    generic = RecurrentCell(name, 3, 4)
    assert preset.spec is generic.spec and isinstance(preset, RecurrentCell)
    for a, b in zip(preset.parameters(), generic.parameters(), strict=True):
        assert torch.equal(a, b)
    assert preset.state_names == generic.state_names and preset.weights().keys() == {
        "weight_ih", "weight_hh", "bias_ih", "bias_hh"}


def test_parameters_have_torch_shapes_and_device_dtype():
    cell = LSTMCell(3, 5, dtype=torch.float64, device="cpu")
    assert cell.weight_ih.shape == (20, 3) and cell.weight_hh.shape == (20, 5)
    assert cell.bias_ih.shape == (20,) and cell.weight_ih.dtype == torch.float64
    assert GRUCell(3, 5, bias=False).bias_ih is None


@settings(max_examples=20, deadline=None)
@given(
    kind=st.sampled_from(IDS),
    batch=st.integers(1, 5),
    input_size=st.integers(1, 6),
    hidden_size=st.integers(1, 6),
)
def test_property_any_shape_matches_torch(kind, batch, input_size, hidden_size):
    ours_cls, torch_cls, kw = PAIRS[IDS.index(kind)]
    ours, ref = ours_cls(input_size, hidden_size, **kw), torch_cls(input_size, hidden_size, **kw)
    ref.load_state_dict(ours.state_dict())
    x = torch.randn(batch, input_size)
    h, state = ours(x)
    ref_out = ref(x)
    ref_h = ref_out[0] if isinstance(ref_out, tuple) else ref_out
    assert h.shape == (batch, hidden_size)
    torch.testing.assert_close(h, ref_h, atol=1e-6, rtol=0)
    for s in as_tuple(state):
        assert s.shape == (batch, hidden_size)
