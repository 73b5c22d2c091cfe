"""The forecasting Task the trainer runs, and how a run builds it from its config.

Batches are arrays of window origins; training origins are shuffled by a
generator seeded with (seed, epoch), so a resumed run sees the same batches.
The loss is the model's own (MSE, Gaussian NLL or pinball on scaled data).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from rnnlab.config import to_dict
from rnnlab.data.calendar import CALENDAR_KINDS
from rnnlab.data.series_source import load_series
from rnnlab.data.splits import SPLITS, split_rows
from rnnlab.data.windows import SeriesWindows
from rnnlab.evaluation.baselines import LinearAR, seasonal_period
from rnnlab.evaluation.forecast_report import training_scale
from rnnlab.models.forecaster import Forecaster, ForecastShape
from rnnlab.training.task import StepResult

if TYPE_CHECKING:
    from rnnlab.tasks.config import RunConfig

META_FILE = "forecast.json"
SCALER_FILE = "scaler.json"
AR_FILE = "linear_ar.safetensors"  # the linear AR baseline as trained with the model


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


def window_shape(windows: SeriesWindows, season: int = 0) -> ForecastShape:
    """The sizes the data fixes: F inputs (C of them known ahead), K targets, horizon H,
    seasonal period m (0: none)."""
    return ForecastShape(
        input_size=len(windows.columns),
        known_size=windows.known.shape[1],
        num_targets=len(windows.config.targets),
        horizon=windows.config.horizon,
        season=season,
    )


def season_of(windows: SeriesWindows, season: int | None) -> int:
    """The seasonal period: ``[forecast] season``, else the frequency's (0 if it has none)."""
    if season:
        return season
    try:
        return seasonal_period(windows.freq)
    except ValueError:
        return 0


def build(config: RunConfig, run_dir: Path) -> ForecastTask:
    """Read the series, cut windows, fit the scaler and the linear AR baseline on train; write
    forecast.json, scaler.json and linear_ar.safetensors."""
    window, split, options = config["window"], config["split"], config["forecast"]
    frame = load_series(config["data"])
    windows = SeriesWindows.build(frame, window, split)
    for name in ("train", "valid"):
        if len(windows.starts[name]) == 0:
            raise ValueError(
                f"no complete {name} window of lookback + horizon = {window.lookback} + "
                f"{window.horizon} steps; the series ({len(frame)} rows, {frame.index[0]} .. "
                f"{frame.index[-1]}) is too short or too gappy for split {split}"
            )
    season = season_of(windows, options.season)
    if config["model"].normalize == "anomaly" and not 1 <= season <= window.lookback:
        raise ValueError(f"normalize 'anomaly' needs a seasonal period in [1, lookback = "
                         f"{window.lookback}], got {season or 'none'} (set [forecast] season)")
    shape = window_shape(windows, season)
    ar = LinearAR(options.ar_ridge).fit(windows, windows.starts["train"])
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    meta = {
        "columns": windows.columns,
        "targets": list(window.targets),
        "freq": windows.freq,
        "calendar": list(_calendar(windows)),
        "model": to_dict(config["model"]),
        "shape": asdict(shape),
        "local_tz": frame.attrs.get("local_tz"),
        "units": frame.attrs.get("units", {}),
        "station": {k: frame.attrs.get(k) for k in ("station", "wmo_code", "lat", "lon",
                                                     "altitude")
                    if frame.attrs.get(k) is not None},
        "train_period": [str(frame.index[0]),
                         str(frame.index[split_rows(frame.index, split)[0] - 1])],
        "mase_scale": training_scale(windows, season).tolist() if season else None,
    }
    (run_dir / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    windows.scaler.save(run_dir / SCALER_FILE)
    ar.save(run_dir / AR_FILE)
    model = fit_residual_ar(Forecaster(config["model"], shape), windows, options.ar_ridge)
    return ForecastTask(model, windows, options.batch_size, options.train_stride,
                        config.train.seed)


def fit_residual_ar(model: Forecaster, windows: SeriesWindows, ridge: float) -> Forecaster:
    """With ``residual_ar = S``: fit the frozen AR by ridge least squares on the TRAINING
    windows only (all of them, whatever the stride) and put it in the model."""
    S = model.config.residual_ar
    if S:
        ar = LinearAR(ridge, steps=S).fit(windows, windows.starts["train"])
        model.set_residual_ar(torch.from_numpy(ar.weights))
    return model


def _calendar(windows: SeriesWindows) -> tuple[str, ...]:
    known = windows.columns[len(windows.columns) - windows.known.shape[1] :]
    kinds = (c.rsplit("_", 1)[0] for c in known)
    return tuple(dict.fromkeys(k for k in kinds if k in CALENDAR_KINDS))

