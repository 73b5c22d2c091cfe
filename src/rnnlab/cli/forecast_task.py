"""The forecasting task: config sections, the Task the trainer runs, and loading a run.

A run directory made by ``rnnlab forecast train`` (or ``rnnlab train`` with
``[task] kind = "forecast"``) holds ``config.toml`` (sections ``[task]``,
``[data]``, ``[window]``, ``[split]``, ``[model]``, ``[forecast]``, ``[train]``),
``forecast.json`` (input columns, frequency, calendar features and the full
model config), ``scaler.json`` (μ, σ of the training rows) and the trainer's
safetensors checkpoints: :func:`load_run` rebuilds the trained model and its
data transform from those files alone.

This module wires data, model and trainer together, so it sits in the cli
layer (the trainer knows no models; data and training import no models).

Batches are arrays of window origins; training origins are shuffled by a
generator seeded with (seed, epoch), so a resumed run sees the same batches.
The loss is the model's own (MSE, Gaussian NLL or pinball on scaled data).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from rnnlab.config import from_dict, load_toml
from rnnlab.data.scalers import StandardScaler
from rnnlab.data.series_source import SeriesSource, load_series
from rnnlab.data.splits import SplitConfig
from rnnlab.data.windows import SPLITS, SeriesWindows, WindowConfig
from rnnlab.evaluation.baselines import LinearAR
from rnnlab.models.forecaster import Forecaster, ForecasterConfig
from rnnlab.training.task import StepResult

META_FILE = "forecast.json"
SCALER_FILE = "scaler.json"


@dataclass(frozen=True)
class ForecastOptions:
    """``[forecast]``: batching and evaluation settings."""

    batch_size: int = 64  # windows per optimizer step
    train_stride: int = 1  # use every n-th training origin (1: all)
    season: int | None = None  # seasonal-naive period in steps; None: from the frequency
    level: float = 0.9  # central interval reported for probabilistic models
    ar_ridge: float = 1.0  # λ of the linear AR baseline
    folds: int = 4  # rolling-origin backtest folds over the test period


class ForecastTask:
    """Windows of a series as a trainer ``Task``; ``forecast`` gives data-unit forecasts."""

    def __init__(
        self,
        model: Forecaster,
        windows: SeriesWindows,
        batch_size: int = 64,
        train_stride: int = 1,
        seed: int = 0,
    ) -> None:
        if batch_size < 1 or train_stride < 1:
            raise ValueError(
                f"expected batch_size, train_stride >= 1, got {batch_size}, {train_stride}"
            )
        self.model = model
        self.windows = windows
        self.batch_size = batch_size
        self.train_stride = train_stride
        self.seed = seed

    def origins(self, split: str) -> np.ndarray:
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}; expected one of {SPLITS}")
        starts = self.windows.starts[split]
        return starts[:: self.train_stride] if split == "train" else starts

    def batches(self, split: str, epoch: int) -> list[np.ndarray]:
        starts = self.origins(split)
        if split == "train":
            starts = starts[np.random.default_rng([self.seed, epoch]).permutation(len(starts))]
        return [starts[i : i + self.batch_size] for i in range(0, len(starts), self.batch_size)]

    def tensors(self, starts: np.ndarray) -> tuple[torch.Tensor, ...]:
        """x (B, L, F), known (B, H, C), y (B, H, K) on the model's device."""
        device = next(self.model.parameters()).device
        w = self.windows
        return tuple(
            torch.from_numpy(np.ascontiguousarray(a)).to(device)
            for a in (w.inputs(starts), w.known_future(starts), w.targets(starts))
        )

    def step(self, batch: np.ndarray, state: Any) -> StepResult:
        x, known, y = self.tensors(batch)
        return StepResult(loss=self.model.loss(x, known, y), state=None, items=len(batch))

    def eval_metrics(self, mean_loss: float) -> dict[str, float]:
        c = self.model.config
        if c.output == "point" and c.strategy != "recursive" and c.loss == "mse":
            return {"rmse_scaled": math.sqrt(max(mean_loss, 0.0))}  # the loss is an MSE
        return {}

    def forecast(
        self, starts: np.ndarray, level: float | None = None, batch_size: int = 1024
    ) -> dict[str, np.ndarray]:
        """Data-unit forecasts from ``starts``: "point" (B, H, K); with ``level`` "lo", "hi"."""
        if len(starts) == 0:
            raise ValueError("expected at least one window origin to forecast from, got none")
        was_training = self.model.training
        self.model.eval()
        parts: dict[str, list[np.ndarray]] = {"point": [], "lo": [], "hi": []}
        try:
            for i in range(0, len(starts), batch_size):
                x, known, _ = self.tensors(np.asarray(starts[i : i + batch_size]))
                out = self.model.predict(x, known, level)
                for key, value in zip(
                    ("point", "lo", "hi"), out if level else (out,), strict=False
                ):
                    parts[key].append(self.windows.to_units(value.float().cpu().numpy()))
        finally:
            self.model.train(was_training)
        return {k: np.concatenate(v) for k, v in parts.items() if v}


def sections(config: dict[str, Any]):
    """The typed sections of a forecast config dict."""
    data = dict(config.get("data", {}))
    if isinstance(data.get("path"), str):
        data["path"] = [data["path"]]
    return (
        from_dict(SeriesSource, data),
        from_dict(WindowConfig, config.get("window", {})),
        from_dict(SplitConfig, config.get("split", {})),
        dict(config.get("model", {})),
        from_dict(ForecastOptions, config.get("forecast", {})),
    )


def model_config(windows: SeriesWindows, model: dict[str, Any]) -> ForecasterConfig:
    """The [model] section completed with the sizes the data fixes."""
    derived = {
        "input_size": len(windows.columns),
        "known_size": windows.known.shape[1],
        "num_targets": len(windows.config.targets),
        "horizon": windows.config.horizon,
    }
    return from_dict(ForecasterConfig, {**model, **derived})


def build(config: dict[str, Any], run_dir: Path) -> ForecastTask:
    """The task registered as ``[task] kind = "forecast"``; writes forecast.json and scaler.json."""
    source, window, split, model, options = sections(config)
    frame = load_series(source)
    windows = SeriesWindows.build(frame, window, split)
    for name in ("train", "valid"):
        if len(windows.starts[name]) == 0:
            raise ValueError(
                f"no complete {name} window of lookback + horizon = {window.lookback} + "
                f"{window.horizon} steps; the series ({len(frame)} rows, {frame.index[0]} .. "
                f"{frame.index[-1]}) is too short or too gappy for split {split}"
            )
    cfg = model_config(windows, model)
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    meta = {
        "columns": windows.columns,
        "targets": list(window.targets),
        "freq": windows.freq,
        "calendar": list(_calendar(windows)),
        "model": asdict(cfg),
        "local_tz": frame.attrs.get("local_tz"),
        "units": frame.attrs.get("units", {}),
    }
    (run_dir / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    windows.scaler.save(run_dir / SCALER_FILE)
    seed = int(config.get("train", {}).get("seed", 0))
    model = fit_residual_ar(Forecaster(cfg), windows, options.ar_ridge)
    return ForecastTask(model, windows, options.batch_size, options.train_stride, seed)


def fit_residual_ar(model: Forecaster, windows: SeriesWindows, ridge: float) -> Forecaster:
    """With ``residual_ar = S``: fit the frozen AR by ridge least squares on the TRAINING
    windows only (all of them, whatever the stride) and put it in the model."""
    S = model.config.residual_ar
    if S:
        ar = LinearAR(ridge, steps=S).fit(windows, windows.starts["train"])
        model.set_residual_ar(torch.from_numpy(ar.weights))
    return model


def _calendar(windows: SeriesWindows) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(
            c.rsplit("_", 1)[0]
            for c in windows.columns[len(windows.columns) - windows.known.shape[1] :]
        )
    )


@dataclass
class LoadedRun:
    model: Forecaster  # or a ForecastEnsemble (same predict) for an ensemble directory
    meta: dict[str, Any]
    scaler: StandardScaler
    config: dict[str, Any]  # config.toml as a dict

    def windows(self, frame: pd.DataFrame, split: SplitConfig | None = None) -> SeriesWindows:
        """Windows over new data with the run's scaler, columns and calendar features."""
        _, window, _, _, _ = sections(self.config)
        window = replace(window, calendar=tuple(self.meta["calendar"]))
        w = SeriesWindows.build(frame, window, split, scaler=self.scaler)
        if w.columns != self.meta["columns"]:
            raise ValueError(f"expected input columns {self.meta['columns']}, got {w.columns}")
        return w


def load_run(run_dir: str | Path, which: str = "best") -> LoadedRun:
    """Model (with trained weights), metadata and scaler of a run, from its files alone."""
    from rnnlab.cli.forecast_ensemble import is_ensemble, load_ensemble
    from rnnlab.training import load_weights

    run_dir = Path(run_dir)
    if is_ensemble(run_dir):  # made by ``rnnlab forecast ensemble``: the mean of member runs
        return load_ensemble(run_dir, which)
    if not (run_dir / META_FILE).is_file():
        raise FileNotFoundError(f"{run_dir} is not a forecast run: no {META_FILE}")
    try:
        meta = json.loads((run_dir / META_FILE).read_text(encoding="utf-8"))
        cfg = from_dict(ForecasterConfig, meta["model"])
    except (json.JSONDecodeError, KeyError, TypeError) as err:
        raise ValueError(f"corrupt {run_dir / META_FILE}: {err}") from None
    model = Forecaster(cfg)
    load_weights(model, run_dir, which)
    model.eval()
    scaler = StandardScaler.load(run_dir / SCALER_FILE)
    return LoadedRun(model, meta, scaler, load_toml(run_dir / "config.toml"))
