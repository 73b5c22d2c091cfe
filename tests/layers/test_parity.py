"""Explicit vs fused vs torch.nn on copied weights: outputs, final states, all gradients.

Grid: every cell type × 1–3 layers × uni/bidirectional × batch_first × padded
(unsorted lengths) / unpadded, with a random initial state. fp32, within 1e-5.
The sigmoid Elman network has no torch.nn peer: its explicit and fused layers
are checked against a naive per-sequence loop, which is itself checked against
PyTorch's kernel for tanh.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnnlab.layers import GRU, LSTM, RNN

T, B, I, H = 5, 4, 3, 4
LENGTHS = [3, 5, 1, 4]  # unsorted, with a full and a length-1 sequence
KINDS = {
    "tanh": (RNN, nn.RNN, {"nonlinearity": "tanh"}),
    "relu": (RNN, nn.RNN, {"nonlinearity": "relu"}),
    "lstm": (LSTM, nn.LSTM, {}),
    "gru": (GRU, nn.GRU, {}),
}


def as_tuple(state):
    return state if isinstance(state, tuple) else (state,)


def make_inputs(kind, num_layers, bidirectional, batch_first):
    x = torch.randn((B, T, I) if batch_first else (T, B, I))
    shape = (num_layers * (2 if bidirectional else 1), B, H)
    state = (torch.randn(shape), torch.randn(shape)) if kind == "lstm" else torch.randn(shape)
    return x, state


def run(layer, x, state, lengths, is_torch):
    """Output, final state and the gradients of a fixed random functional of both."""
    x = x.clone().requires_grad_()
    state = tuple(s.clone().requires_grad_() for s in as_tuple(state))
    arg = state if len(state) == 2 else state[0]
    if lengths is not None and is_torch:
        packed = pack_padded_sequence(x, lengths, layer.batch_first, enforce_sorted=False)
        out, final = layer(packed, arg)
        out, _ = pad_packed_sequence(out, layer.batch_first, total_length=T)
    elif lengths is not None:
        out, final = layer(x, arg, lengths=lengths)
    else:
        out, final = layer(x, arg)
    final = as_tuple(final)
    gen = torch.Generator().manual_seed(1)
    loss = (out * torch.randn(out.shape, generator=gen)).sum() + sum(
        (f * torch.randn(f.shape, generator=gen)).sum() for f in final
    )
    params = layer.state_dict(keep_vars=True)  # torch.nn's names on both sides
    names = list(params)
    grads = torch.autograd.grad(loss, [x, *state, *params.values()])
    return {"output": out, **{f"state{i}": f for i, f in enumerate(final)}} | {
        f"grad {n}": g
        for n, g in zip(["x", *[f"h0[{i}]" for i in range(len(state))], *names], grads, strict=True)
    }


def assert_all_close(got, want, atol):
    assert got.keys() == want.keys()
    for key in want:
        torch.testing.assert_close(
            got[key], want[key], rtol=0, atol=atol, msg=lambda m, k=key: f"{k}: {m}"
        )


@pytest.mark.parametrize("padded", [False, True], ids=["full", "padded"])
@pytest.mark.parametrize("batch_first", [False, True], ids=["TB", "BT"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("num_layers", [1, 2, 3])
@pytest.mark.parametrize("kind", list(KINDS))
def test_explicit_fused_and_torch_agree(kind, num_layers, bidirectional, batch_first, padded):
    ours_cls, torch_cls, kw = KINDS[kind]
    args = (I, H, num_layers)
    opts = {"bidirectional": bidirectional, "batch_first": batch_first, **kw}
    ref = torch_cls(*args, **opts)
    explicit = ours_cls(*args, backend="explicit", **opts)
    fused = ours_cls(*args, backend="fused", **opts)
    explicit.load_state_dict(ref.state_dict())
    fused.load_state_dict(ref.state_dict())
    x, state = make_inputs(kind, num_layers, bidirectional, batch_first)
    lengths = torch.tensor(LENGTHS) if padded else None
    want = run(ref, x, state, lengths, is_torch=True)
    assert_all_close(run(explicit, x, state, lengths, is_torch=False), want, atol=1e-5)
    assert_all_close(run(fused, x, state, lengths, is_torch=False), want, atol=1e-6)


def naive_elman(layer, x, state, lengths, phi):
    """Each sequence alone, cut to its length, one step at a time: no masks, no packing."""
    dirs = 2 if layer.bidirectional else 1
    x = x.transpose(0, 1) if layer.batch_first else x  # (T, B, I)
    outs, finals = [], [[None] * B for _ in range(layer.num_layers * dirs)]
    for b in range(B):
        n = int(lengths[b])
        seq = x[:n, b]  # (n, I)
        for layer_index in range(layer.num_layers):
            per_dir = []
            for d in range(dirs):
                k = layer_index * dirs + d
                sfx = f"_l{layer_index}" + ("_reverse" if d else "")
                w_ih, w_hh = getattr(layer, "weight_ih" + sfx), getattr(layer, "weight_hh" + sfx)
                b_ih = getattr(layer, "bias_ih" + sfx, None)
                b_hh = getattr(layer, "bias_hh" + sfx, None)
                b_sum = 0.0 if b_ih is None else b_ih + b_hh
                h, hs = state[k, b], [None] * n
                for t in range(n - 1, -1, -1) if d else range(n):
                    h = phi(w_ih @ seq[t] + w_hh @ h + b_sum)
                    hs[t] = h
                per_dir.append(torch.stack(hs))
                finals[k][b] = h
            seq = torch.cat(per_dir, dim=-1)  # (n, D·H)
        outs.append(torch.cat([seq, seq.new_zeros(T - n, seq.shape[1])]))
    out = torch.stack(outs, dim=1)  # (T, B, D·H)
    final = torch.stack([torch.stack(f) for f in finals])  # (L·D, B, H)
    return (out.transpose(0, 1) if layer.batch_first else out), final


@pytest.mark.parametrize(
    ("nonlinearity", "bias"), [("tanh", True), ("sigmoid", True), ("sigmoid", False)]
)
@pytest.mark.parametrize("padded", [False, True], ids=["full", "padded"])
@pytest.mark.parametrize("batch_first", [False, True], ids=["TB", "BT"])
@pytest.mark.parametrize(("num_layers", "bidirectional"), [(1, False), (2, True), (3, True)])
def test_elman_fused_and_explicit_match_naive_loop(
    nonlinearity, bias, padded, batch_first, num_layers, bidirectional
):
    """Sigmoid: fused (tanh kernel through σ(a) = (1 + tanh(a/2))/2) and explicit vs naive."""
    opts = {"bias": bias, "batch_first": batch_first, "bidirectional": bidirectional}
    fused = RNN(I, H, num_layers, nonlinearity, **opts)
    assert fused.backend_used == "fused"
    explicit = RNN(I, H, num_layers, nonlinearity, backend="explicit", **opts)
    explicit.load_state_dict(fused.state_dict())
    x, state = make_inputs("tanh", num_layers, bidirectional, batch_first)
    x.requires_grad_()
    lengths = LENGTHS if padded else None
    phi = getattr(torch, nonlinearity)
    want_out, want_state = naive_elman(fused, x, state, lengths or [T] * B, phi)
    w = torch.randn_like(want_out)
    ref = torch.autograd.grad(
        (want_out * w).sum() + want_state.sum(), [x, *fused.parameters()], retain_graph=True
    )
    for model in (fused, explicit):  # tanh: the naive loop itself against PyTorch's kernel
        out, final = model(x, state, lengths=lengths)
        torch.testing.assert_close(out, want_out, rtol=0, atol=1e-5)
        torch.testing.assert_close(final, want_state, rtol=0, atol=1e-5)
        got = torch.autograd.grad((out * w).sum() + final.sum(), [x, *model.parameters()])
        for a, b in zip(got, ref, strict=True):
            torch.testing.assert_close(a, b, rtol=0, atol=1e-5)


@pytest.mark.parametrize("kind", list(KINDS))
def test_without_bias_explicit_fused_and_torch_agree(kind):
    ours_cls, torch_cls, kw = KINDS[kind]
    opts = {"bias": False, "bidirectional": True, **kw}
    ref = torch_cls(I, H, 2, **opts)
    explicit = ours_cls(I, H, 2, backend="explicit", **opts)
    fused = ours_cls(I, H, 2, backend="fused", **opts)
    explicit.load_state_dict(ref.state_dict())
    fused.load_state_dict(ref.state_dict())
    x, state = make_inputs(kind, 2, True, False)
    lengths = torch.tensor(LENGTHS)
    want = run(ref, x, state, lengths, is_torch=True)
    assert_all_close(run(explicit, x, state, lengths, is_torch=False), want, atol=1e-5)
    assert_all_close(run(fused, x, state, lengths, is_torch=False), want, atol=1e-6)
