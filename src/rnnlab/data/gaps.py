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

import numpy as np
import pandas as pd


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


def regularise(
    frame: pd.DataFrame, freq: str, limit: int
) -> tuple[pd.DataFrame, dict[str, dict[str, int]]]:
    """Re-index ``frame`` so every step of ``freq`` exists, fill short gaps, report.

    Returns the new frame and, per numeric column, ``missing`` (NaN after
    re-indexing), ``filled`` (interpolated), ``left`` (still NaN) and
    ``longest_gap`` (steps) — plain ints, so the summary fits in ``.attrs``.
    """
    if frame.index.has_duplicates:
        raise ValueError("expected unique timestamps, got duplicates; drop them first")
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
