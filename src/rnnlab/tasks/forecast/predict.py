"""Forecast the next H steps from any file, with the run's scaler, columns and calendar."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rnnlab.data.series_source import SeriesSource, load_series
from rnnlab.evaluation.forecast_plots import plot_forecast
from rnnlab.tasks.forecast.evaluate import model_name
from rnnlab.tasks.forecast.runs import load_run
from rnnlab.tasks.forecast.task import ForecastTask


def predict_run(
    run_dir: str | Path, data: list[str], out: Path, plot: Path | None, origin: str | None = None,
    model: Any = None,
) -> pd.DataFrame:
    """Forecast H steps after the end of ``data`` (or from ``origin``); write CSV and PNG.

    ``model``: what forecasts instead of the run's own PyTorch model (an object with the
    forecaster's ``predict``, e.g. :class:`rnnlab.tasks.export.engine.OrtForecaster`).
    """
    run = load_run(run_dir)
    model = run.model if model is None else model
    source, options = run.config["data"], run.config["forecast"]
    source = SeriesSource(
        path=tuple(data),
        format="auto",
        encoding=None,
        gap_limit=source.gap_limit,
        time_column=source.time_column,
    )
    frame = load_series(source)
    w = run.windows(frame)
    if origin is None:
        t = w.latest_origin()
    else:
        stamp = pd.Timestamp(origin)
        if w.index.tz is not None and stamp.tz is None:
            stamp = stamp.tz_localize(w.index.tz)
        t = int(w.index.searchsorted(stamp))
        if not w.config.lookback <= t <= w.rows:
            raise ValueError(
                f"origin {origin} leaves fewer than {w.config.lookback} steps "
                f"of history in {w.index[0]} .. {w.index[w.rows - 1]}"
            )
    probabilistic = run.model.config.output != "point"
    level = options.level if probabilistic else None
    fc = ForecastTask(model, w).forecast(np.array([t]), level)
    times = w.index[t : t + w.config.horizon]
    table = pd.DataFrame({"time_utc": times})
    if run.meta.get("local_tz") and times.tz is not None:
        table["local_time"] = times.tz_convert(run.meta["local_tz"])
    for k, target in enumerate(w.config.targets):
        table[target] = fc["point"][0, :, k]
        if level:
            table[f"{target}_lo"] = fc["lo"][0, :, k]
            table[f"{target}_hi"] = fc["hi"][0, :, k]
        table[f"{target}_actual"] = w.actual(np.array([t]))[0, :, k]
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    table.round({c: 4 for c in table.columns if c not in ("time_utc", "local_time")}).to_csv(
        out, index=False
    )
    if plot is not None:
        L = w.config.lookback
        target = w.config.targets[0]
        interval = (fc["lo"][0, :, 0], fc["hi"][0, :, 0]) if level else None
        plot_forecast(
            plot,
            w.index[t - L : t],
            w.history(np.array([t]))[0, :, 0],
            times,
            {model_name(run): fc["point"][0, :, 0]},
            w.actual(np.array([t]))[0, :, 0],
            interval,
            level,
            title=f"{target}: next {w.config.horizon} steps from {times[0]:%Y-%m-%d %H:%M}",
            ylabel=target,
        )
    return table
