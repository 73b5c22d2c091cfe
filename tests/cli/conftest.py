"""Shared by the forecasting CLI tests: a tiny hourly CSV and the arguments of a quick
``rnnlab forecast train`` on it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def write_series_csv(path):
    """A tiny hourly CSV: temp (daily sine + noise) and hum, 400 rows, the same every time."""
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
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def series_csv(tmp_path):
    return write_series_csv(tmp_path / "series.csv")


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


ENSEMBLE_MEMBERS = {
    "gru-0": ("--cell", "gru"),
    "lstm-1": ("--cell", "lstm", "--set", "train.seed=1"),
}


@pytest.fixture(scope="module")
def trained_members(tmp_path_factory):
    """Two forecast runs (a GRU and an LSTM) trained once per test module."""
    from rnnlab.cli.main import main

    root = tmp_path_factory.mktemp("members")
    csv = write_series_csv(root / "series.csv")
    for name, extra in ENSEMBLE_MEMBERS.items():
        assert main(_train_args(csv, root / "runs" / name, *extra)) == 0
    return root / "runs"


@pytest.fixture
def members(trained_members, tmp_path):
    """This test's own copy of the trained runs, under tmp_path/runs (tests may break them)."""
    import shutil

    shutil.copytree(trained_members, tmp_path / "runs")
    return [tmp_path / "runs" / name for name in ENSEMBLE_MEMBERS]
