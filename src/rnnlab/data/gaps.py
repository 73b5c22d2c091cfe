"""Missing data in a regular time series: re-index, fill short gaps, mask long ones.

A gap is a run of consecutive missing values in one column. Runs of at most
``limit`` steps that have an observed value on both sides are filled by linear
interpolation in time; longer runs (and runs at either end) stay NaN, which
the window builder treats as a mask: no training or test window may contain
them. ``missing_summary`` says, per column, how much was missing, filled and
left.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

# re-indexing may add missing steps, but not without bound: a mistyped date in a
# per-second file (2042 for 2024) would otherwise allocate 18 years of seconds
MAX_STRETCH = 10  # at most this many steps per row read ...
MAX_STEPS_ANYWAY = 100_000  # ... unless the whole regular series is this short
ISOLATED_JUMP = 1000  # a jump this many typical steps long that cuts off a few rows is a typo


def nan_runs(values: np.ndarray) -> list[tuple[int, int]]:
    """Half-open index ranges ``[start, stop)`` of the runs of NaN in a 1-D array."""
    isnan = np.isnan(np.asarray(values, dtype=float))
    edges = np.diff(np.concatenate([[0], isnan.astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    stops = np.flatnonzero(edges == -1)
    return list(zip(starts.tolist(), stops.tolist(), strict=True))


def fill_short_gaps(series: pd.Series, limit: int) -> pd.Series:
    """Linearly interpolate inner runs of at most ``limit`` NaNs; leave longer runs NaN.

    pandas' own ``interpolate(limit=...)`` would fill the first ``limit`` steps
    of a long gap too, inventing data inside what should stay masked.
    """
    if limit < 0:
        raise ValueError(f"expected a gap limit >= 0, got {limit}")
    values = series.to_numpy(dtype=float)
    out = values.copy()
    n = len(values)
    for start, stop in nan_runs(values):
        if stop - start > limit or start == 0 or stop == n:
            continue
        left, right = values[start - 1], values[stop]
        # x_t = x_a + (x_b - x_a) (t - a) / (b - a), with a = start - 1, b = stop
        t = np.arange(1, stop - start + 1) / (stop - start + 1)
        out[start:stop] = left + (right - left) * t
    return pd.Series(out, index=series.index, name=series.name)


def infer_step(index: pd.DatetimeIndex) -> str | None:
    """The series' step: pandas' inferred frequency, else the most common step when
    every step is a whole multiple of it (a regular series with holes); else None."""
    if len(index) < 3:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas 3 announces an offset return type
        freq = pd.infer_freq(index)
    if freq is not None:
        return pd.tseries.frequencies.to_offset(freq).freqstr
    steps = pd.Series(index[1:] - index[:-1])
    mode = steps.mode().iloc[0]
    if mode > pd.Timedelta(0) and ((steps % mode) == pd.Timedelta(0)).all():
        return pd.tseries.frequencies.to_offset(mode).freqstr
    return None


def regular_steps(first: pd.Timestamp, last: pd.Timestamp, freq: str) -> int:
    """How many steps of ``freq`` a regular series from ``first`` to ``last`` has,
    counted without building it."""
    offset = pd.tseries.frequencies.to_offset(freq)
    try:
        step = pd.Timedelta(offset)
    except ValueError:  # months, years, business days: at least a day each, so few
        return len(pd.date_range(first, last, freq=offset))
    return int((last - first) // step) + 1


def check_span(index: pd.DatetimeIndex, freq: str, where: Sequence[str] | None = None) -> None:
    """Refuse timestamps that would re-index into a series mostly made of missing steps.

    Checked before anything is allocated: a few rows cut off from the rest by a
    jump longer than all the rest and ``ISOLATED_JUMP`` typical steps (a mistyped
    year), or a span of ``freq`` steps more than ``MAX_STRETCH`` times
    the rows read. ``where[i]`` names row i in messages (``"file.csv:12"``).
    """
    n = len(index)
    if n < 2:
        return
    order = np.argsort(index.asi8, kind="stable")
    stamps = index[order]
    jumps = np.diff(stamps.asi8)
    k = int(np.argmax(jumps))  # the largest jump: from row order[k] to row order[k + 1]
    span = int(stamps.asi8[-1] - stamps.asi8[0])  # in the index's unit, like the jumps
    few = min(k + 1, n - k - 1)  # rows on the smaller side of that jump
    steps = regular_steps(stamps[0], stamps[-1], freq)
    isolated = (few <= max(3, n // 1000) and n > 2 * few and jumps[k] > span - jumps[k]
                and jumps[k] > ISOLATED_JUMP * np.median(jumps))
    if not isolated and (steps <= MAX_STRETCH * n or steps <= MAX_STEPS_ANYWAY):
        return

    def name(i: int) -> str:
        row = int(order[i])
        return f"{where[row]} ({stamps[i]})" if where is not None else str(stamps[i])

    jump = (f"the largest jump is {stamps[k + 1] - stamps[k]}, from {name(k)} to "
            f"{name(k + 1)}")
    if isolated:
        side = "before" if k + 1 <= n - k - 1 else "after"
        raise ValueError(
            f"{few} row(s) lie far {side} the other {n - few}: {jump} (longer than all the "
            "rest of the series); a mistyped date? Fix or drop those rows")
    raise ValueError(
        f"the timestamps span {stamps[0]} .. {stamps[-1]}: {steps:,} steps of {freq} for "
        f"{n:,} rows read, so at least {steps - n:,} would be missing; {jump}. A mistyped "
        "date, or the wrong frequency? (give freq= to read it at another step)")


def regularise(
    frame: pd.DataFrame, freq: str, limit: int, where: Sequence[str] | None = None
) -> tuple[pd.DataFrame, dict[str, dict[str, int]]]:
    """Re-index ``frame`` so every step of ``freq`` exists, fill short gaps, report.

    Returns the new frame and, per numeric column, ``missing`` (NaN after
    re-indexing), ``filled`` (interpolated), ``left`` (still NaN) and
    ``longest_gap`` (steps) — plain ints, so the summary fits in ``.attrs``.
    A span far longer than the rows (see ``check_span``; ``where`` names the
    rows in its message) is refused before the new index is built.
    """
    if frame.index.has_duplicates:
        raise ValueError("expected unique timestamps, got duplicates; drop them first")
    check_span(frame.index, freq, where)
    full = pd.date_range(frame.index[0], frame.index[-1], freq=freq, name=frame.index.name)
    frame = frame.sort_index().reindex(full)
    summary: dict[str, dict[str, int]] = {}
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            continue
        before = frame[column]
        after = fill_short_gaps(before, limit)
        runs = nan_runs(before.to_numpy(dtype=float))
        summary[str(column)] = {
            "missing": int(before.isna().sum()),
            "filled": int(before.isna().sum() - after.isna().sum()),
            "left": int(after.isna().sum()),
            "longest_gap": max((b - a for a, b in runs), default=0),
        }
        frame[column] = after
    return frame, summary


def missing_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """The missing-data summary a reader stored in ``frame.attrs["missing"]``, as a table."""
    summary = frame.attrs.get("missing")
    if summary is None:
        raise ValueError("this frame carries no missing-data summary (attrs['missing'])")
    table = pd.DataFrame.from_dict(summary, orient="index")
    table["rows"] = len(frame)
    table["left_pct"] = 100.0 * table["left"] / max(len(frame), 1)
    return table
