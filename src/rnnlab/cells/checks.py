"""Argument checks at the public boundary: "expected …, got …" messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


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
