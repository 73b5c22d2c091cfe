"""The ``sequence`` backend (whole-sequence kernels, hand-written BPTT) against the explicit loop.

For every registry cell with a sequence kernel × lengths (none / unsorted, with
a full and a length-1 sequence) × directions (1 layer one way / 2 layers both
ways), with a random initial state, in float32: the output, the final states and
the gradients with respect to the input, the initial state and every parameter
agree within 1e-5 (relative to the gradient's size for the LayerNorm cells,
whose normalisation divides by σ); gradcheck in float64; training-mode zoneout,
weight drop and dropout with the same seed give the same numbers (in float64,
to 1e-9: the same masks, not just close ones); ``auto`` picks fused, else
sequence, else explicit, and the repr says which.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
import torch

from rnnlab.cells.spec import cell_names, get_cell
from rnnlab.layers import Recurrent

SEQUENCE_CELLS = [name for name in cell_names() if get_cell(name).sequence]
T, B, I, H = 5, 4, 3, 6
LENGTHS = [3, 5, 1, 4]
LAYOUTS = [(1, False), (2, True)]  # (num_layers, bidirectional)


def pair(cell, num_layers, bidirectional, dtype=torch.float32, **kw):
    explicit = Recurrent(cell, I, H, num_layers, bidirectional=bidirectional,
                         backend="explicit", dtype=dtype, **kw)
    sequence = Recurrent(cell, I, H, num_layers, bidirectional=bidirectional,
                         backend="sequence", dtype=dtype, **kw)
    sequence.load_state_dict(explicit.state_dict())
    return explicit, sequence


def outputs_and_grads(layer, x, state, lengths, seed=None):
    """Output, final state and the gradients of a fixed random functional of both."""
    x = x.clone().requires_grad_()
    parts = tuple(s.clone().requires_grad_() for s in state)
    if seed is not None:
        torch.manual_seed(seed)  # the same masks (zoneout, weight drop, dropout) for both
    out, final = layer(x, parts if len(parts) == 2 else parts[0], lengths=lengths)
    final = final if isinstance(final, tuple) else (final,)
    gen = torch.Generator().manual_seed(1)
    loss = (out * torch.randn(out.shape, generator=gen, dtype=out.dtype)).sum() + sum(
        (f * torch.randn(f.shape, generator=gen, dtype=f.dtype)).sum() for f in final)
    names = [n for n, _ in layer.named_parameters()]
    grads = torch.autograd.grad(loss, [x, *parts, *layer.parameters()])
    got = {"output": out, **{f"state{i}": f for i, f in enumerate(final)}}
    got.update({f"grad {n}": g for n, g in zip(["x", *(f"s0[{i}]" for i in range(len(parts))),
                                                 *names], grads, strict=True)})
    return got


def random_state(layer, dtype=torch.float32):
    shape = (layer.num_layers * layer.num_directions, B, H)
    return tuple(torch.randn(shape, dtype=dtype) for _ in layer.state_names)


def assert_close(got, want, relative, atol=1e-5):
    assert got.keys() == want.keys()
    for key, w in want.items():
        scale = max(1.0, float(w.detach().abs().max())) if relative else 1.0
        torch.testing.assert_close(got[key], w, rtol=0, atol=atol * scale,
                                   msg=lambda m, k=key: f"{k}: {m}")


@pytest.mark.parametrize("lengths", [None, LENGTHS], ids=["full", "padded"])
@pytest.mark.parametrize(("num_layers", "bidirectional"), LAYOUTS, ids=["1-uni", "2-bi"])
@pytest.mark.parametrize("cell", SEQUENCE_CELLS)
def test_sequence_matches_the_explicit_loop(cell, num_layers, bidirectional, lengths):
    torch.manual_seed(0)
    explicit, sequence = pair(cell, num_layers, bidirectional)
    explicit.eval(), sequence.eval()  # zoneout: the expectation (training: the test below)
    x, state = torch.randn(T, B, I), random_state(explicit)
    want = outputs_and_grads(explicit, x, state, lengths)
    got = outputs_and_grads(sequence, x, state, lengths)
    assert_close(got, want, relative=cell.startswith("ln-"))
    if lengths is not None:  # past each length the output is zero
        assert float(got["output"][1:, 2].detach().abs().max()) == 0.0


@pytest.mark.parametrize("cell", ["zoneout-lstm", "zoneout-gru", "ln-lstm", "elman-sigmoid"])
def test_training_masks_are_the_same_in_both_backends(cell):
    """Zoneout masks, weight drop on W_hh and dropout between layers, drawn from one seed."""
    torch.manual_seed(0)
    f64 = torch.float64
    explicit, sequence = pair(cell, 2, True, f64, dropout=0.3, weight_drop=0.4)
    x, state = torch.randn(T, B, I, dtype=f64), random_state(explicit, f64)
    want = outputs_and_grads(explicit, x, state, LENGTHS, seed=7)
    got = outputs_and_grads(sequence, x, state, LENGTHS, seed=7)
    assert_close(got, want, relative=True, atol=1e-9)
    again = outputs_and_grads(sequence, x, state, LENGTHS, seed=8)
    assert not torch.equal(again["output"], got["output"])  # the masks are random


@pytest.mark.parametrize("lengths", [None, [4, 1, 3]], ids=["full", "padded"])
@pytest.mark.parametrize("cell", SEQUENCE_CELLS)
def test_gradcheck_float64(cell, lengths):
    layer = Recurrent(cell, 2, 3, 2, bidirectional=lengths is not None, backend="sequence",
                      dtype=torch.float64)
    training = cell.startswith("zoneout")  # random masks, fixed by the seed below
    layer.train(training)
    x = torch.randn(4, 3, 2, dtype=torch.float64, requires_grad=True)
    s0 = [torch.randn(layer.num_layers * layer.num_directions, 3, 3, dtype=torch.float64,
                      requires_grad=True) for _ in layer.state_names]
    names = [n for n, _ in layer.named_parameters()]

    def f(x, *tensors):
        states, params = tensors[: len(s0)], tensors[len(s0):]
        torch.manual_seed(3)
        out, final = torch.func.functional_call(
            layer, dict(zip(names, params, strict=True)),
            (x, states if len(states) == 2 else states[0]), {"lengths": lengths})
        return (out, *(final if isinstance(final, tuple) else (final,)))

    assert torch.autograd.gradcheck(f, (x, *s0, *layer.parameters()), fast_mode=True)


def test_auto_picks_fused_then_sequence_and_the_repr_says_which():
    for cell in cell_names():
        layer = Recurrent(cell, 3, 4)
        want = "fused" if get_cell(cell).fused else "sequence"
        assert layer.backend_used == want, cell
        assert f"backend='{want}' (auto)" in repr(layer)
    forced = repr(Recurrent("lstm", 3, 4, backend="sequence"))
    assert "backend='sequence'" in forced and "(auto)" not in forced


def test_sequence_is_refused_for_a_cell_without_a_kernel():
    spec = dataclasses.replace(get_cell("gru"), name="no-kernel", fused=None, sequence=None)
    assert Recurrent(spec, 3, 4).backend_used == "explicit"
    with pytest.raises(ValueError, match=re.escape(
            "backend='sequence' is not available for cell 'no-kernel': no sequence kernel "
            "computes its equations; use backend='explicit' or 'auto'")):
        Recurrent(spec, 3, 4, backend="sequence")


def test_layouts_packed_unbatched_and_no_grad():
    torch.manual_seed(0)
    explicit, sequence = pair("ln-gru", 1, True)
    for layer in (explicit, sequence):
        layer.batch_first = True
    x = torch.randn(B, T, I)
    torch.testing.assert_close(sequence(x, lengths=LENGTHS)[0], explicit(x, lengths=LENGTHS)[0],
                               rtol=0, atol=1e-5)
    packed = torch.nn.utils.rnn.pack_padded_sequence(x, LENGTHS, True, enforce_sorted=False)
    got, want = sequence(packed), explicit(packed)
    torch.testing.assert_close(got[0].data, want[0].data, rtol=0, atol=1e-5)
    torch.testing.assert_close(got[1], want[1], rtol=0, atol=1e-5)
    with torch.no_grad():
        out, h = sequence(x[0])  # unbatched (T, I)
    assert out.shape == (T, 2 * H) and h.shape == (2, H) and not out.requires_grad
    torch.testing.assert_close(out, explicit(x[0])[0], rtol=0, atol=1e-5)


@pytest.mark.parametrize("onednn", [True, False], ids=["onednn", "torch.mm"])
def test_products_on_onednn_and_on_torch_mm_agree(monkeypatch, onednn):
    """The recurrent products and the projection run on oneDNN (float32 CPU) or torch.mm."""
    import rnnlab.layers.products as products

    monkeypatch.setattr(products, "ONEDNN", onednn and products.ONEDNN)
    torch.manual_seed(0)
    for cell in ("lstm", "ln-gru", "elman-relu"):
        explicit, sequence = pair(cell, 2, True)
        x, state = torch.randn(T, B, I), random_state(explicit)
        assert_close(outputs_and_grads(sequence, x, state, LENGTHS),
                     outputs_and_grads(explicit, x, state, LENGTHS), relative=True)
    x = torch.randn(5, 7, 3, requires_grad=True)
    W, b = torch.randn(4, 3, requires_grad=True), torch.randn(4, requires_grad=True)
    g = torch.randn(5, 7, 4)
    got = torch.autograd.grad((products.linear(x, W, b) * g).sum(), (x, W, b))
    want = torch.autograd.grad((torch.nn.functional.linear(x, W, b) * g).sum(), (x, W, b))
    for a, w in zip(got, want, strict=True):
        torch.testing.assert_close(a, w, rtol=0, atol=1e-5)
