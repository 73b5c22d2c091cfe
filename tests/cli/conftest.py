"""Shared by the forecasting CLI tests: a tiny hourly CSV and the arguments of a quick
``rnnlab forecast train`` on it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def series_csv(tmp_path):
    n = 400
    t = np.arange(n)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "time": pd.date_range("2024-01-01", periods=n, freq="h"),
            "temp": 20 + 5 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 0.3, n),
            "hum": 60 + 10 * np.cos(2 * np.pi * t / 24),
        }
    )
    path = tmp_path / "series.csv"
    frame.to_csv(path, index=False)
    return path


def _train_args(data, run_dir, *extra):
    return [
        "forecast",
        "train",
        "--data",
        str(data),
        "--target",
        "temp",
        "--inputs",
        "hum",
        "--lookback",
        "24",
        "--horizon",
        "6",
        "--hidden-size",
        "8",
        "--epochs",
        "1",
        "--run-dir",
        str(run_dir),
        "--quiet",
        "--set",
        "forecast.train_stride=4",
        *extra,
    ]


@pytest.fixture
def forecast_train_args():
    """``forecast_train_args(data, run_dir, *extra)``: argv of a one-epoch run on ``data``."""
    return _train_args
