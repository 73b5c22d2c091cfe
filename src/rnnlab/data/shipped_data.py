"""Data shipped inside the package, named ``"shipped:NAME"`` wherever a path is accepted.

The folders under ``rnnlab/data/shipped`` each hold a small data set with its
SOURCE.md (origin, license, how it was cut): the demo and the examples run on
them with no download.
"""

from __future__ import annotations

from pathlib import Path

SHIPPED = Path(__file__).resolve().parent / "shipped"  # rnnlab/data/shipped
PREFIX = "shipped:"


def shipped_names() -> list[str]:
    """The names of the shipped data sets."""
    return sorted(p.name for p in SHIPPED.iterdir() if p.is_dir()) if SHIPPED.is_dir() else []


def resolve_path(path: str | Path) -> Path:
    """``"shipped:NAME"`` -> that shipped folder; any other path unchanged."""
    text = str(path)
    if not text.startswith(PREFIX):
        return Path(path)
    name = text.removeprefix(PREFIX)
    if not name or not (SHIPPED / name).is_dir():
        raise FileNotFoundError(f"no shipped data {name!r}; shipped: {shipped_names()}")
    return SHIPPED / name
