"""Forecast from any file with the run's scaler, columns and calendar: one origin or many.

    predict_run(run, ["recent.csv"], out)                         the H steps after the end
    predict_run(run, [...], out, origin="2025-03-01 12:00")       from one origin
    predict_run(run, [...], out, start="2025-03-01", end="2025-04-01", every="24h")  rolling

An origin t is the time of the first forecast step; its window is the L rows
before it, so a file of L rows is enough to forecast the H steps after its
end. The CSV has one row per origin × step. A window with missing inputs is
refused, naming the column, the hours and the count — unless the run's
``[forecast] impute_limit`` (or ``impute_limit=``) allows filling that many
steps per column, by carrying the last value forward; the CSV then counts the
imputed values of each origin's window in ``imputed``. The inputs read are
checked for drift against the training scaler (a warning, see evaluation/drift.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rnnlab.data.series_source import SeriesSource, load_series
from rnnlab.data.splits import row_position
from rnnlab.evaluation.drift import check_drift, warn_drift
from rnnlab.evaluation.forecast_plots import plot_forecast, plot_rolling
from rnnlab.tasks.forecast.evaluate import model_name
from rnnlab.tasks.forecast.runs import load_run
from rnnlab.tasks.forecast.task import ForecastTask

MAX_PATHS = 30  # forecast paths drawn in a rolling plot


def predict_run(
    run_dir: str | Path,
    data: list[str],
    out: Path,
    plot: Path | None,
    origin: str | None = None,
    start: str | None = None,
    end: str | None = None,
    every: str | None = None,
    impute_limit: int | None = None,
    model: Any = None,
) -> pd.DataFrame:
    """Forecast from ``origin``, from every ``every`` in [start, end), or after the end of
    ``data``; write the CSV (one row per origin × step) and the PNG.

    ``model``: what forecasts instead of the run's own PyTorch model (an object with the
    forecaster's ``predict``, e.g. :class:`rnnlab.tasks.export.engine.OrtForecaster`).
    """
    if origin is not None and (start or end or every):
        raise ValueError("give either --origin or --start/--end/--every, not both")
    run = load_run(run_dir)
    source, options = run.config["data"], run.config["forecast"]
    limit = options.impute_limit if impute_limit is None else impute_limit
    if limit < 0:
        raise ValueError(f"expected an impute limit >= 0, got {limit}")
    frame = load_series(SeriesSource(path=tuple(data), format="auto", encoding=None,
                                     gap_limit=source.gap_limit, time_column=source.time_column))
    w = run.windows(frame)
    starts = _origins(w, origin, start, end, every)
    imputed = _impute(w, starts, limit)
    inputs = w.columns[: len(w.scaler.columns)]
    rows = np.unique(np.concatenate([np.arange(t - w.config.lookback, t) for t in starts]))
    warn_drift(check_drift(frame[inputs].to_numpy(dtype=float)[rows], inputs, w.scaler,
                           options.drift_sigma), run.meta.get("units"))
    level = options.level if run.model.config.output != "point" else None
    fc = ForecastTask(run.model if model is None else model, w).forecast(starts, level)
    table = _table(w, starts, fc, imputed, run.meta.get("local_tz"))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    _for_csv(table).to_csv(out, index=False)
    if plot is not None:
        _plot(plot, w, starts, fc, level, run)
    return table


def _origins(w, origin, start, end, every) -> np.ndarray:
    L, N = w.config.lookback, w.rows
    if origin is None and start is None and end is None:
        return np.array([N])  # the H steps after the last row
    if origin is not None:
        lo = hi = row_position(w.index, origin, "origin")
        step = 1
    else:
        lo = row_position(w.index, start, "start") if start else L
        hi = row_position(w.index, end, "end") - 1 if end else N
        step = _steps(every, w.freq) if every else 1
    if not L <= lo <= N or hi < lo:
        raise ValueError(f"origin(s) from {w.index[min(lo, len(w.index) - 1)]} leave fewer than "
                         f"{L} steps of history, or lie past the end, in {w.index[0]} .. "
                         f"{w.index[N - 1]} (origins may run from {w.index[L]} to {w.index[N]})")
    return np.arange(lo, min(hi, N) + 1, step)


def _steps(every: str, freq: str | None) -> int:
    try:
        span = pd.Timedelta(every)
        unit = pd.Timedelta(pd.tseries.frequencies.to_offset(freq)) if freq else None
    except ValueError:
        raise ValueError(f"--every: expected a duration such as 24h, got {every!r}") from None
    if unit is None or span < unit or span % unit != pd.Timedelta(0):
        raise ValueError(f"--every {every}: expected a whole number of steps of {freq}")
    return int(span // unit)


def _impute(w, starts: np.ndarray, limit: int) -> np.ndarray:
    """Fill up to ``limit`` steps per column of each window (last value forward) in ``w.x``,
    or refuse the first window with a gap left; returns the imputed count per origin."""
    D = len(w.scaler.columns)
    before = np.isnan(w.x[:, :D])
    if limit:
        filled = pd.DataFrame(w.x[:, :D]).ffill(limit=limit).to_numpy(dtype=np.float32)
        w.x = np.concatenate([filled, w.x[:, D:]], axis=1)
    counts = []
    for t in starts:
        missing = w.missing_inputs(int(t))
        if missing:
            raise ValueError(_gap_message(w, int(t), missing, limit))
        counts.append(int(before[t - w.config.lookback : t].sum()))
    return np.asarray(counts)


def _gap_message(w, t: int, missing: dict[str, list[int]], limit: int) -> str:
    parts = []
    for column, rows in missing.items():
        hours = ", ".join(f"{w.index[r]:%Y-%m-%d %H:%M}" for r in rows[:6])
        more = f" and {len(rows) - 6} more" if len(rows) > 6 else ""
        parts.append(f"{len(rows)} value(s) of {column!r} at {hours}{more}")
    allow = (f"beyond the impute limit of {limit} step(s) per column" if limit else
             "[forecast] impute_limit = 0")
    return (f"cannot forecast from {w.index[t]}: its input window {w.index[t - w.config.lookback]}"
            f" .. {w.index[t - 1]} misses {'; '.join(parts)} ({allow}). Fill the data, choose "
            "another origin, or allow imputation with --impute-limit N")


def _table(w, starts, fc, imputed, local_tz) -> pd.DataFrame:
    B, H = len(starts), w.config.horizon
    rows = np.asarray(starts)[:, None] + np.arange(H)[None, :]  # (B, H)
    table = pd.DataFrame({
        "origin_utc": np.repeat(w.index[starts], H),
        "step": np.tile(np.arange(1, H + 1), B),
        "time_utc": w.index[rows.ravel()],
    })
    if local_tz and w.index.tz is not None:
        table["local_time"] = table["time_utc"].dt.tz_convert(local_tz)
    actual = w.actual(starts)
    for k, target in enumerate(w.config.targets):
        table[target] = fc["point"][:, :, k].ravel()
        if "lo" in fc:
            table[f"{target}_lo"] = fc["lo"][:, :, k].ravel()
            table[f"{target}_hi"] = fc["hi"][:, :, k].ravel()
        table[f"{target}_actual"] = actual[:, :, k].ravel()
    table["imputed"] = np.repeat(imputed, H)
    return table


def _for_csv(table: pd.DataFrame) -> pd.DataFrame:
    """Times as text, one format whatever the hour (UTC without offset, local with it);
    values to 4 decimals."""
    text = table.copy()
    for column in ("origin_utc", "time_utc"):
        times = pd.DatetimeIndex(text[column])
        if times.tz is not None:
            times = times.tz_convert("UTC").tz_localize(None)
        text[column] = times.strftime("%Y-%m-%d %H:%M:%S")
    if "local_time" in text:
        text["local_time"] = [t.isoformat(sep=" ") for t in text["local_time"]]
    values = [c for c in text.columns if c not in ("origin_utc", "time_utc", "local_time")]
    return text.round({c: 4 for c in values})


def _plot(plot: Path, w, starts, fc, level, run) -> None:
    L, H = w.config.lookback, w.config.horizon
    target = w.config.targets[0]
    unit = run.meta.get("units", {}).get(target)
    tz = run.meta.get("local_tz")
    t = int(starts[0])
    if len(starts) == 1:
        interval = (fc["lo"][0, :, 0], fc["hi"][0, :, 0]) if level else None
        first = w.index[t].tz_convert(tz) if tz and w.index.tz is not None else w.index[t]
        plot_forecast(plot, w.index[t - L : t], w.history(np.array([t]))[0, :, 0],
                      w.index[t : t + H], {model_name(run): fc["point"][0, :, 0]},
                      w.actual(np.array([t]))[0, :, 0], interval, level,
                      title=f"{target}: next {H} steps from {first:%Y-%m-%d %H:%M} "
                            f"({tz or 'UTC'})", ylabel=target, unit=unit, tz=tz)
        return
    pick = np.unique(np.linspace(0, len(starts) - 1, min(MAX_PATHS, len(starts))).astype(int))
    span = np.arange(t - L, min(int(starts[-1]) + H, w.rows))
    plot_rolling(plot, w.index[span], w.values[span, 0],
                 [(w.index[starts[j] : starts[j] + H], fc["point"][j, :, 0]) for j in pick],
                 title=f"{target}: {len(starts)} forecasts of {H} steps ({model_name(run)})",
                 ylabel=target, unit=unit, tz=tz)
