"""Split a series by time into train / validation / test, never by shuffling.

Each boundary is either a timestamp (rows strictly before it go to the earlier
split) or a fraction of the rows. A forecast window belongs to the split that
holds all of its *target* steps; its input steps may reach back into the
previous split, which is no leak: at forecast time the past is known.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

SPLITS = ("train", "valid", "test")  # the names of the splits, in order, for every task


@dataclass(frozen=True)
class SplitConfig:
    train_end: str | float = 0.7  # ISO timestamp (exclusive) or fraction of the rows
    valid_end: str | float = 0.85  # ISO timestamp (exclusive) or fraction; the rest is test


def split_rows(index: pd.DatetimeIndex, split: SplitConfig) -> tuple[int, int]:
    """Row positions (train_end, valid_end): train = [0, a), valid = [a, b), test = [b, N)."""
    a = row_position(index, split.train_end, "train_end")
    b = row_position(index, split.valid_end, "valid_end")
    if not 0 < a <= b <= len(index):
        raise ValueError(
            f"expected 0 < train_end <= valid_end <= {len(index)} rows, got {a} and {b} "
            f"(from train_end={split.train_end!r}, valid_end={split.valid_end!r}; "
            f"the series runs {index[0]} .. {index[-1]})"
        )
    return a, b


def row_position(index: pd.DatetimeIndex, bound: str | float, name: str) -> int:
    """The first row at or after ``bound`` (a timestamp, naive = the index's zone, or a
    fraction of the rows)."""
    if isinstance(bound, (int, float)) and not isinstance(bound, bool):
        if not 0.0 < bound <= 1.0:
            raise ValueError(f"expected {name} as a fraction in (0, 1], got {bound}")
        return round(bound * len(index))
    try:
        stamp = pd.Timestamp(bound)
    except ValueError:
        raise ValueError(f"expected {name} as a timestamp or fraction, got {bound!r}") from None
    if index.tz is not None and stamp.tz is None:
        stamp = stamp.tz_localize(index.tz)
    elif index.tz is None and stamp.tz is not None:
        stamp = stamp.tz_convert(None)
    return int(index.searchsorted(stamp, side="left"))
