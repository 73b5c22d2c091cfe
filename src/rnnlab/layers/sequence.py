"""Checking and normalising what a recurrent layer receives (arguments, inputs, states).

Symbols: T time steps, B batch, I input size, H hidden size, D directions,
L layers. A layer's input is (T, B, I), (B, T, I) with ``batch_first``, an
unbatched (T, I), or a PackedSequence. Lengths are a (B,) tensor or list of
ints in [1, T] (any order), or a boolean padding mask shaped like the first two
input dimensions with True on the valid steps.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence

from rnnlab.cells.checks import check_state_parts, shape_str
from rnnlab.cells.state import State


def check_sequence(x: Any, input_size: int, dtype: torch.dtype, batch_first: bool) -> bool:
    """Raise a clear error unless ``x`` is a valid input tensor; return whether it is batched."""
    if not isinstance(x, Tensor):
        raise TypeError(
            f"expected input to be a torch.Tensor or PackedSequence, got {type(x).__name__}"
        )
    want = "(B, T, {i})" if batch_first else "(T, B, {i})"
    if x.dim() not in (2, 3) or x.shape[-1] != input_size:
        shown = want.format(i=input_size) + f" or (T, {input_size})"
        raise ValueError(f"expected input of shape {shown}, got {shape_str(x.shape)}")
    if x.dtype != dtype:
        raise TypeError(f"expected input of dtype {dtype} (the layer's parameters), got {x.dtype}")
    if x.shape[0 if x.dim() == 2 or not batch_first else 1] == 0:
        raise ValueError(
            f"expected at least one time step, got input of shape {shape_str(x.shape)}"
        )
    return x.dim() == 3


def check_packed(x: PackedSequence, input_size: int, dtype: torch.dtype) -> None:
    """Raise a clear error unless the packed data is (N, I) of the right dtype."""
    data = x.data
    if data.dim() != 2 or data.shape[1] != input_size:
        raise ValueError(
            f"expected packed data of shape (N, {input_size}), got {shape_str(data.shape)}"
        )
    if data.dtype != dtype:
        raise TypeError(
            f"expected input of dtype {dtype} (the layer's parameters), got {data.dtype}"
        )


def normalize_lengths(lengths: Any, num_steps: int, batch_size: int, batch_first: bool) -> Tensor:
    """Lengths (B,) int64 on the CPU, checked to lie in [1, T]; a mask is turned into lengths."""
    if isinstance(lengths, Tensor) and lengths.dtype == torch.bool:
        return _mask_to_lengths(lengths, num_steps, batch_size, batch_first)
    if isinstance(lengths, Tensor):
        if lengths.is_floating_point() or lengths.is_complex():
            raise TypeError(f"expected integer lengths, got a tensor of dtype {lengths.dtype}")
        out = lengths.detach().to("cpu", torch.int64)
    elif isinstance(lengths, Sequence) and all(
        isinstance(n, int) and not isinstance(n, bool) for n in lengths
    ):
        out = torch.tensor(list(lengths), dtype=torch.int64)
    else:
        raise TypeError(
            "expected lengths as a tensor or list of ints, or a boolean padding mask, "
            f"got {type(lengths).__name__}"
        )
    if tuple(out.shape) != (batch_size,):
        raise ValueError(f"expected lengths of shape ({batch_size},), got {shape_str(out.shape)}")
    lo, hi = int(out.min()), int(out.max())
    if lo < 1 or hi > num_steps:
        raise ValueError(
            f"expected lengths in [1, {num_steps}] (the number of time steps), "
            f"got min {lo}, max {hi}"
        )
    return out


def _mask_to_lengths(mask: Tensor, num_steps: int, batch_size: int, batch_first: bool) -> Tensor:
    want = (batch_size, num_steps) if batch_first else (num_steps, batch_size)
    if tuple(mask.shape) != want:
        dims = "(B, T)" if batch_first else "(T, B)"
        raise ValueError(
            f"expected a padding mask of shape {dims} = {shape_str(want)}, "
            f"got {shape_str(mask.shape)}"
        )
    mask = (mask.t() if batch_first else mask).detach().cpu()  # (T, B)
    lengths = mask.sum(0)  # (B,)
    prefix = torch.arange(num_steps).unsqueeze(1) < lengths.unsqueeze(0)  # (T, B)
    if not torch.equal(prefix, mask):
        raise ValueError(
            "expected a padding mask whose True entries come first in every sequence "
            "(valid steps, then padding)"
        )
    if int(lengths.min()) < 1:
        raise ValueError("expected at least one valid step in every sequence of the mask, got 0")
    return lengths.to(torch.int64)


def repack(out: Tensor, like: PackedSequence, lengths: Tensor) -> PackedSequence:
    """Pack a padded (T, B, ·) output in the batch order and layout of ``like``."""
    order = like.sorted_indices
    if order is not None:
        out, lengths = out.index_select(1, order), lengths.index_select(0, order.cpu())
    data = pack_padded_sequence(out, lengths, enforce_sorted=True).data  # (N, ·)
    return PackedSequence(data, like.batch_sizes, like.sorted_indices, like.unsorted_indices)


def check_initial_state(
    state: Any, template: State, names: tuple[str, ...], batched: bool, dtype: torch.dtype
) -> State:
    """The caller's initial layer state, checked against the zero ``template`` (L·D, B, H).

    An unbatched input takes an unbatched state (L·D, H); it comes back batched.
    """
    if state is None:
        return template
    shape = template[0].shape if isinstance(template, tuple) else template.shape
    want = shape if batched else shape[:1] + shape[2:]
    parts = check_state_parts(state, names, tuple(want), dtype, " (num_layers·D, B, H)")
    parts = parts if batched else tuple(p.unsqueeze(1) for p in parts)
    return parts[0] if len(parts) == 1 else parts


def check_dropout(dropout: Any, num_layers: int) -> float:
    """``dropout`` (between layers) as a float in [0, 1]; a warning when it cannot act."""
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)):
        raise TypeError(f"expected dropout to be a number in [0, 1], got {dropout!r}")
    if not 0.0 <= dropout <= 1.0:
        raise ValueError(f"expected dropout in [0, 1], got {dropout}")
    if dropout > 0 and num_layers == 1:
        warnings.warn(
            "dropout acts between layers, so it has no effect with num_layers=1 "
            f"(got dropout={dropout})",
            UserWarning,
            stacklevel=4,
        )
    return float(dropout)


def check_custom_cell(
    cell: Any, bias: bool, init: str, forget_bias: Any, weight_drop: float
) -> None:
    """A custom cell is a callable, and the options that configure registry cells stay unset."""
    if not callable(cell):
        raise TypeError(
            "expected cell to be a cell name, a CellSpec or a callable "
            f"(input_size, hidden_size) -> cell, got {cell!r}"
        )
    given = {"bias": bias, "init": init, "forget_bias": forget_bias, "weight_drop": weight_drop}
    defaults = {"bias": True, "init": "default", "forget_bias": None, "weight_drop": 0.0}
    changed = {k: v for k, v in given.items() if v != defaults[k]}
    if changed:
        listed = ", ".join(f"{k}={v!r}" for k, v in changed.items())
        raise ValueError(
            f"expected bias, init, forget_bias and weight_drop at their defaults with a custom "
            f"cell (they configure registry cells; configure your cell's constructor), got {listed}"
        )

