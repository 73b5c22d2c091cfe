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


def test_static_inputs_are_required_per_series_and_join_every_row():
    from types import SimpleNamespace

    import pytest
    import torch

    from rnnlab.data.windows import WindowConfig

    seen = {}

    class Model(torch.nn.Module):
        def predict(self, x, known, level=None):
            seen["x"], seen["known"] = x, known
            return torch.zeros(x.shape[0], known.shape[1], 1)

    class Scaler:
        def transform(self, values, columns):
            return values

        def inverse(self, values, columns):
            return values

    window = WindowConfig(lookback=2, horizon=3, targets=("temp",), static=("lat",))
    run = SimpleNamespace(config={"window": window}, meta={"calendar": ["hour"], "freq": "h"},
                          model=Model(), scaler=Scaler())
    with pytest.raises(ValueError, match=r"static inputs \['lat'\]: give static= one mapping"):
        ForecastStream(run, batch_size=2)
    stream = ForecastStream(run, batch_size=2, static=[{"lat": -45.0}, {"lat": 9.0}])
    stream.push("2024-01-01 00:00", [[20.0], [21.0]])
    out = stream.push("2024-01-01 01:00", [[20.5], [21.5]])
    assert out["point"].shape == (2, 3, 1)
    assert seen["x"].shape == (2, 2, 4)  # temp, hour sin/cos, lat / 90
    lat = torch.tensor([-0.5, 0.1])
    torch.testing.assert_close(seen["x"][:, 0, 3], lat)  # in every row of the window
    torch.testing.assert_close(seen["known"][:, 2, 2], lat)  # and every step ahead
