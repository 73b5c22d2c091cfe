"""The backends of :class:`~rnnlab.layers.Recurrent`: one function each, one signature.

``run(layer, x, state, lengths) -> (output, state)``, with the layer's public
attributes only. ``"explicit"`` is the Python loop over the cell equations
(:mod:`rnnlab.layers.loop`), the reference; ``"fused"`` hands the same tensors
to PyTorch's kernels (:mod:`rnnlab.layers.fused`); ``"sequence"`` is rnnlab's
whole-sequence kernel with a hand-written BPTT for every cell whose spec names
one (:mod:`rnnlab.layers.sequence_kernel`). A new backend is one more function
in ``RUNNERS`` and one line in :meth:`Recurrent.backend_used`'s preference.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from rnnlab.cells.state import State, map_state
from rnnlab.layers.fused import FUSED_MODES, fused_packed, fused_padded
from rnnlab.layers.loop import run_stack
from rnnlab.layers.sequence import check_packed, check_sequence, normalize_lengths, repack
from rnnlab.layers.sequence_kernel import run_sequence_stack
from rnnlab.layers.step import run_one_step

Output = tuple[Tensor | PackedSequence, State]


def _lengths(layer: Any, lengths: Any, steps: int, batch_size: int, batched: bool) -> Any:
    if lengths is None:
        return None
    if not batched:
        raise ValueError("expected a batched input (3-D) when lengths are given, got 2-D")
    return normalize_lengths(lengths, steps, batch_size, layer.batch_first)


def _check_packed(layer: Any, x: PackedSequence, lengths: Any) -> None:
    if lengths is not None:
        raise ValueError("expected lengths=None with a PackedSequence input")
    check_packed(x, layer.input_size, layer.dtype)


def _run_padded(layer: Any, x: Tensor | PackedSequence, state: Any, lengths: Any,
                stack: Callable[..., tuple[Tensor, list]]) -> Output:
    """Bring any input to (T, B, I) with lengths, run ``stack`` over it, and undo the layout."""
    packed = x if isinstance(x, PackedSequence) else None
    if packed is not None:
        _check_packed(layer, packed, lengths)
        xs, lens = pad_packed_sequence(packed)  # (T, B, I) in the caller's order, (B,)
        batched = True
    else:
        batched = check_sequence(x, layer.input_size, layer.dtype, layer.batch_first)
        xs = x.transpose(0, 1) if batched and layer.batch_first else x  # (T, B, I)
        xs = xs if batched else xs.unsqueeze(1)  # (T, 1, I) when unbatched
        lens = _lengths(layer, lengths, xs.shape[0], xs.shape[1], batched)
    h0 = layer.initial_state(state, xs.shape[1], batched, xs)  # (L·D, B, H)
    states = [map_state(lambda s, k=k: s[k], h0) for k in range(len(layer.cells))]
    ragged = None if lens is None or int(lens.min()) == xs.shape[0] else lens
    out, finals = stack(layer, xs, states, ragged)  # (T, B, D·H)
    final = map_state(lambda *parts: torch.stack(parts), *finals)  # (L·D, B, H)
    if packed is not None:
        return repack(out, packed, lens), final
    if not batched:
        return out.squeeze(1), map_state(lambda s: s.squeeze(1), final)
    return (out.transpose(0, 1) if layer.batch_first else out), final


def _explicit_stack(layer: Any, xs: Tensor, states: list, lengths: Tensor | None) -> Any:
    steps = layer.step_functions()  # the weights first, then the noise: every backend alike
    noise = layer.forward_noise(xs.shape[0], xs.shape[1], xs) if layer.spec else None
    return run_stack(steps, xs, states, lengths, layer.num_layers, layer.bidirectional,
                     layer.dropout, layer.training, noise)


def run_explicit(layer: Any, x: Tensor | PackedSequence, state: Any, lengths: Any) -> Output:
    """The loop over time of :mod:`rnnlab.layers.loop`, on the layer's step functions."""
    return _run_padded(layer, x, state, lengths, _explicit_stack)


def run_sequence(layer: Any, x: Tensor | PackedSequence, state: Any, lengths: Any) -> Output:
    """rnnlab's whole-sequence kernel (:mod:`rnnlab.layers.sequence_kernel`), hand-written BPTT."""
    return _run_padded(layer, x, state, lengths, run_sequence_stack)


def run_fused(layer: Any, x: Tensor | PackedSequence, state: Any, lengths: Any) -> Output:
    """PyTorch's kernel on ``layer.flat_forward_weights()``; ragged batches go through packing;
    a single step runs PyTorch's cell kernels (:mod:`rnnlab.layers.step`)."""
    args, weights = layer.kernel_args(), layer.flat_forward_weights()
    if isinstance(x, PackedSequence):
        _check_packed(layer, x, lengths)
        hx = layer.initial_state(state, int(x.batch_sizes[0]), True, x.data)
        return fused_packed(args, x, hx, weights)
    batched = check_sequence(x, layer.input_size, layer.dtype, layer.batch_first)
    batch_size = x.shape[0 if layer.batch_first else 1] if batched else 1
    steps = x.shape[1 if layer.batch_first else 0] if batched else x.shape[0]
    lens = _lengths(layer, lengths, steps, batch_size, batched)
    hx = layer.initial_state(state, batch_size, batched, x)
    if steps == 1:  # one step: PyTorch's cell kernels, without the sequence kernel's set-up
        x1 = x[:, 0] if batched and layer.batch_first else x[0] if batched else x  # (B, I)
        out, final = run_one_step(layer, x1, hx)  # (B, D·H)
        if not batched:
            return out, map_state(lambda s: s.squeeze(1), final)
        return out.unsqueeze(1 if layer.batch_first else 0), final
    if lens is not None and int(lens.min()) < steps:
        packed = pack_padded_sequence(x, lens, layer.batch_first, enforce_sorted=False)
        out, final = fused_packed(args, packed, hx, weights)
        padded, _ = pad_packed_sequence(out, layer.batch_first, total_length=steps)
        return padded, final
    batch_dim = 0 if layer.batch_first else 1
    xs = x if batched else x.unsqueeze(batch_dim)  # (T, 1, I) or (1, T, I) when unbatched
    out, final = fused_padded(args, xs, hx, weights)
    if not batched:
        return out.squeeze(batch_dim), map_state(lambda s: s.squeeze(1), final)
    return out, final


def fused_available(layer: Any) -> bool:
    """Whether a PyTorch kernel computes exactly ``layer``'s equations."""
    spec = layer.spec
    return (spec is not None and spec.fused in FUSED_MODES and spec.extra_parameters is None
            and not spec.zoneout)


def choose_backend(layer: Any) -> str:
    """``layer.backend``, or for "auto": fused, else sequence, else explicit; a forced backend
    that cannot compute the layer's equations is a ValueError."""
    if layer.backend == "auto":
        if layer.fused_available():
            return "fused"
        return "sequence" if layer.sequence_available() else "explicit"
    available = {"fused": layer.fused_available, "sequence": layer.sequence_available}
    if layer.backend in available and not available[layer.backend]():
        what = f"cell {layer.spec.name!r}" if layer.spec else type(layer.cells[0]).__name__
        raise ValueError(
            f"backend={layer.backend!r} is not available for {what}: no {layer.backend} "
            "kernel computes its equations; use backend='explicit' or 'auto'"
        )
    return layer.backend


RUNNERS: dict[str, Callable[[Any, Any, Any, Any], Output]] = {
    "explicit": run_explicit,
    "fused": run_fused,
    "sequence": run_sequence,
}
