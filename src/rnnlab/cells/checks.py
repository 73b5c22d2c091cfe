"""Argument checks at the public boundary: "expected …, got …" messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor


def check_positive_int(name: str, value: Any) -> int:
    """``value`` as an int > 0, or a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"expected {name} to be a positive int, got {value!r}")
    return value


def check_choice(name: str, value: Any, choices: Sequence[str]) -> str:
    """``value`` if it is one of ``choices``, else a ValueError listing them."""
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"expected {name} to be one of {listed}, got {value!r}")
    return value


def shape_str(shape: Sequence[Any]) -> str:
    """(20, 64) style, with a trailing comma for one dimension like Python: (64,)."""
    items = [str(s) for s in shape]
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def check_state_parts(
    state: Any, names: tuple[str, ...], shape: tuple[int, ...], dtype: torch.dtype, note: str = ""
) -> tuple[Tensor, ...]:
    """The state's tensors, checked to be one per name, each of ``shape`` and ``dtype``.

    Errors say what was expected and what came: "expected state c of shape
    (2, 8){note}, got (2, 7)"; cells and layers share this check.
    """
    single = len(names) == 1
    parts = (state,) if single and isinstance(state, Tensor) else state
    well_formed = isinstance(parts, (tuple, list)) and len(parts) == len(names)
    if not well_formed or not all(isinstance(p, Tensor) for p in parts):
        want = "a tensor" if single else f"a tuple ({', '.join(names)}) of tensors"
        got = (
            f"a {type(state).__name__} of {len(state)}"
            if isinstance(state, (tuple, list))
            else type(state).__name__
        )
        raise TypeError(f"expected state to be {want}, got {got}")
    for name, p in zip(names, parts, strict=True):
        label = "state" if single else f"state {name}"
        if tuple(p.shape) != tuple(shape):
            raise ValueError(
                f"expected {label} of shape {shape_str(shape)}{note}, got {shape_str(p.shape)}"
            )
        if p.dtype != dtype:
            raise TypeError(f"expected {label} of dtype {dtype}, got {p.dtype}")
    return tuple(parts)


def check_cell_contract(cell: Any, hidden_size: int) -> Any:
    """A user's cell, checked to follow the cell contract of :mod:`rnnlab.cells.base`."""
    for attr in ("init_state", "hidden_size"):
        if not hasattr(cell, attr):
            raise TypeError(
                f"expected cell objects with {attr!r} (the cell contract), "
                f"got {type(cell).__name__} without it"
            )
    if cell.hidden_size != hidden_size:
        raise ValueError(f"expected cells with hidden_size {hidden_size}, got {cell.hidden_size}")
    return cell
