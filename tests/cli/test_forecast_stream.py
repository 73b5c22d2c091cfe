"""Streaming forecasts: rows fed one at a time give, at every origin, the forecast that
``forecast predict`` computes from the file; two series stream independently and reset."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rnnlab.cli.main import main
from rnnlab.data.series_source import load_series
from rnnlab.tasks.forecast import ForecastTask, load_run
from rnnlab.tasks.forecast.stream import ForecastStream


def test_stream_equals_the_batch_forecast(series_csv, forecast_train_args, tmp_path):
    run_dir = tmp_path / "run"
    assert main(forecast_train_args(series_csv, run_dir, "--cell", "ln-gru")) == 0
    run = load_run(run_dir)
    windows = run.windows(load_series(run.config["data"]))
    task = ForecastTask(run.model, windows)
    frame = pd.read_csv(series_csv, parse_dates=["time"]).set_index("time")
    stream = ForecastStream(run, batch_size=2)
    other = frame[["temp", "hum"]].to_numpy()[::-1].copy()  # series 1: another history
    for i, (time, row) in enumerate(frame.iloc[:60].iterrows()):
        out = stream.push(time, np.stack([row[["temp", "hum"]].to_numpy(), other[i]]))
        if i < 23:  # fewer than lookback = 24 rows
            assert out is None
        elif i in (23, 59):
            want = task.forecast(np.array([i + 1]))["point"][0]
            np.testing.assert_allclose(out["point"][0], want, atol=1e-4)
            assert not np.allclose(out["point"][1], want, atol=1e-2)
            assert list(out["time"]) == list(windows.index[i + 1 : i + 7])
    stream.reset(0)  # series 0 starts over: no forecast for it until 24 new rows
    out = stream.push(frame.index[60], np.stack([frame.iloc[60][["temp", "hum"]], other[60]]))
    assert np.isnan(out["point"][0]).all() and np.isfinite(out["point"][1]).all()
