"""``[model] residual_ar``: the frozen AR is fitted on training windows only, saved with the
run, and an untrained model forecasts exactly what the linear AR baseline forecasts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from rnnlab.data.splits import SplitConfig
from rnnlab.data.windows import SeriesWindows, WindowConfig
from rnnlab.evaluation.baselines import LinearAR
from rnnlab.models.forecaster import Forecaster, ForecasterConfig
from rnnlab.tasks import resolve_config
from rnnlab.tasks.forecast import ForecastTask, build, load_run, window_shape
from rnnlab.tasks.forecast.task import fit_residual_ar
from rnnlab.training import Trainer


def frame(n=500) -> pd.DataFrame:
    t = np.arange(n)
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "temp": 20 + 5 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 0.5, n).cumsum() * 0.1,
            "hum": 60 + 10 * np.cos(2 * np.pi * t / 24) + rng.normal(0, 1, n),
        },
        index=pd.date_range("2024-01-01", periods=n, freq="h"),
    )


def test_untrained_residual_model_is_the_linear_ar_and_ignores_the_future():
    w = SeriesWindows.build(
        frame(), WindowConfig(24, 6, ("temp",), ("hum",)), SplitConfig(0.6, 0.8)
    )
    model = Forecaster(ForecasterConfig(hidden_size=8, residual_ar=12), window_shape(w))
    fit_residual_ar(model, w, ridge=1.0)
    t = w.starts["test"]
    ar = LinearAR(1.0, steps=12).fit(w, w.starts["train"])
    np.testing.assert_allclose(
        ForecastTask(model, w).forecast(t)["point"], ar.predict(w, t), rtol=1e-5, atol=1e-4
    )
    # leakage check: changing every valid/test value leaves the fitted AR unchanged
    changed = frame()
    changed.iloc[int(0.6 * 500) :] += 100.0
    w2 = SeriesWindows.build(
        changed, WindowConfig(24, 6, ("temp",), ("hum",)), SplitConfig(0.6, 0.8)
    )
    other = fit_residual_ar(Forecaster(model.config, model.shape), w2, ridge=1.0)
    torch.testing.assert_close(other.ar_weight, model.ar_weight)


def test_run_with_residual_ar_saves_and_reloads_the_ar(tmp_path):
    path = tmp_path / "s.csv"
    frame().rename_axis("time").to_csv(path)
    config = {
        "data": {"path": [str(path)]},
        "window": {"lookback": 24, "horizon": 6, "targets": ["temp"], "inputs": ["hum"]},
        "model": {"cell": "gru", "hidden_size": 8, "residual_ar": 24},
        "forecast": {"train_stride": 4},
    }
    run = tmp_path / "run"
    cfg = resolve_config({**config, "train": {"epochs": 1, "progress": False}}, kind="forecast")
    task = build(cfg, run)
    assert task.model.ar_weight.abs().sum() > 0  # fitted before training
    before = task.model.ar_weight.clone()
    Trainer(task, cfg.train, run, extra_config=cfg.task_dict()).fit()
    torch.testing.assert_close(task.model.ar_weight, before)  # frozen during training
    loaded = load_run(run, which="last")
    torch.testing.assert_close(loaded.model.ar_weight, before)
    w = loaded.windows(pd.read_csv(path, index_col="time", parse_dates=True))
    t = w.starts["train"][-20:]
    np.testing.assert_allclose(
        ForecastTask(loaded.model, w).forecast(t)["point"], task.forecast(t)["point"], rtol=1e-6
    )


def test_cli_train_with_set_residual_ar(tmp_path, capsys):
    from rnnlab.cli.main import main

    path = tmp_path / "s.csv"
    frame().rename_axis("time").to_csv(path)
    args = ["forecast", "train", "--data", str(path), "--target", "temp", "--lookback", "24"]
    args += ["--horizon", "6", "--hidden-size", "4", "--epochs", "1", "--quiet"]
    args += ["--run-dir", str(tmp_path / "r"), "--set", "model.residual_ar=24"]
    args += ["--set", "forecast.train_stride=8"]
    assert main(args) == 0
    assert load_run(tmp_path / "r").model.config.residual_ar == 24
