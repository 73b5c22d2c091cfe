"""Shared by the forecasting benchmarks: train one forecaster through the Trainer and
score it beside the baselines on the same test windows. Run the forecast_*.py scripts."""

from __future__ import annotations

import copy
import json
import math
import platform
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from rnnlab.data.windows import SeriesWindows
from rnnlab.evaluation.baselines import LinearAR, persistence, seasonal_naive
from rnnlab.evaluation.forecasting import score
from rnnlab.models.forecaster import Forecaster, ForecasterConfig
from rnnlab.tasks.forecast import ForecastTask, window_shape
from rnnlab.tasks.forecast.task import fit_residual_ar
from rnnlab.training import TrainConfig, Trainer, load_weights


def cell_fields(cell: str, lookback: int | None = None) -> dict:
    """The [model] fields of a cell: the LSTM keeps the forget-gate bias 1.0 (Jozefowicz et al.
    2015) the recorded results used. The comparison encoders are named too ("mlp", "cnn",
    "transformer"); the MLP then reads the whole look-back window (the courses' dense
    network), the CNN gets enough blocks for its receptive field to cover it."""
    if cell == "mlp":
        return {"encoder": "mlp", "window": lookback or 5}
    if cell == "cnn":  # receptive field 1 + 2(k − 1)(2^L − 1) >= lookback, k = 3
        blocks = 1
        while lookback and 1 + 4 * (2**blocks - 1) < lookback:
            blocks += 1
        return {"encoder": "cnn", "num_layers": blocks}
    if cell == "transformer":
        return {"encoder": "transformer", "num_heads": 4}
    return {"cell": cell, "forget_bias": 1.0} if cell == "lstm" else {"cell": cell}


def baselines(
    w: SeriesWindows,
    starts: np.ndarray,
    period: int,
    scale,
    to_scaled: bool,
    points: dict | None = None,
    ridge: float = 1.0,
):
    """Scores of persistence, seasonal naive and linear AR (data units, or scaled units);
    with ``points`` (a dict) their point forecasts are stored there too."""
    actual = w.actual(starts)
    preds = {"persistence": persistence(w, starts)}
    if period <= w.config.lookback:
        preds["seasonal naive"] = seasonal_naive(w, starts, period)
    t0 = time.perf_counter()
    preds["linear AR"] = LinearAR(ridge).fit(w, w.starts["train"]).predict(w, starts)
    ar_time = time.perf_counter() - t0
    if points is not None:
        points.update(preds)
    out = {}
    for name, pred in preds.items():
        if to_scaled:
            pred, act = _scaled(w, pred), _scaled(w, actual)
            out[name] = score(pred, act).overall
        else:
            out[name] = score(pred, actual, scale).overall
    out["linear AR"]["fit_s"] = ar_time
    return out


def _scaled(w: SeriesWindows, values: np.ndarray) -> np.ndarray:
    return w.scaler.transform(values, list(w.config.targets))


def train_one(
    w: SeriesWindows,
    model_cfg: dict,
    train_cfg: TrainConfig,
    run_dir: Path,
    batch_size: int,
    stride: int,
    scale,
    to_scaled: bool,
    level: float | None = None,
    seeds: int = 1,
    ar_ridge: float = 1.0,
    keep_point: bool = False,
    which: str = "best",
):
    """Train through the Trainer (early stopping on valid), reload the best weights, score.

    ``seeds`` > 1 trains that many models (seeds seed, seed + 1, ...) and scores the
    MEAN of their point forecasts (a seed ensemble); each member's MAE is kept too.
    ``which="last"`` scores the final weights (runs without a validation split)."""
    if seeds > 1:
        return _ensemble(
            w, model_cfg, train_cfg, run_dir, batch_size, stride, scale, to_scaled, seeds, ar_ridge
        )
    torch.manual_seed(train_cfg.seed)
    model = fit_residual_ar(Forecaster(ForecasterConfig(**model_cfg), window_shape(w)), w, ar_ridge)
    task = ForecastTask(model, w, batch_size, stride, seed=train_cfg.seed)
    t0 = time.perf_counter()
    summary = Trainer(task, train_cfg, run_dir).fit()
    seconds = time.perf_counter() - t0
    load_weights(model, run_dir, which)
    starts = w.starts["test"]
    fc = task.forecast(starts, level)
    actual = w.actual(starts)
    if to_scaled:
        result = score(_scaled(w, fc["point"]), _scaled(w, actual)).overall
    else:
        result = score(fc["point"], actual, scale).overall
    result.update(
        train_s=seconds,
        epochs=summary.get("epochs"),
        stopped=summary.get("stopped"),
        params=sum(p.numel() for p in model.parameters()),
        best_valid=summary.get("best_valid_loss"),
        best_epoch=_best_epoch(summary, len(task.batches("train", 0))),
    )
    if keep_point:
        result["point"] = fc["point"]
    if level is not None:
        inside = (actual >= fc["lo"]) & (actual <= fc["hi"])
        result["coverage"] = float(inside[~np.isnan(actual)].mean())
    return result


def _best_epoch(summary: dict, batches_per_epoch: int) -> int | None:
    """The epoch (1-based) whose end gave the best validation loss (None: no validation)."""
    step = summary.get("best_step")
    return None if step is None else math.ceil(step / batches_per_epoch)


def _ensemble(
    w, model_cfg, train_cfg, run_dir, batch_size, stride, scale, to_scaled, seeds, ar_ridge
):
    members, points, seconds = [], [], 0.0
    for k in range(seeds):
        cfg = replace(train_cfg, seed=train_cfg.seed + k)
        r = train_one(
            w,
            model_cfg,
            cfg,
            run_dir / f"seed{k}",
            batch_size,
            stride,
            scale,
            to_scaled,
            ar_ridge=ar_ridge,
            keep_point=True,
        )
        points.append(r.pop("point"))
        members.append({k2: r[k2] for k2 in ("mae", "rmse", "epochs")})
        seconds += r["train_s"]
    mean = np.mean(points, axis=0)
    actual = w.actual(w.starts["test"])
    if to_scaled:
        result = score(_scaled(w, mean), _scaled(w, actual)).overall
    else:
        result = score(mean, actual, scale).overall
    result.update(train_s=seconds, members=members, point=mean)
    return result


def machine() -> str:
    return (
        f"{platform.processor() or platform.machine()}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads"
    )


def table(rows: dict[str, dict], keys=("mae", "rmse", "mse", "mase")) -> str:
    present = [k for k in keys if any(k in r for r in rows.values())]
    vs_head = " | vs AR (MAE / RMSE)" if any("vs_ar" in r for r in rows.values()) else ""
    lines = [
        "| model | " + " | ".join(k.upper() for k in present) + vs_head + " | train s |",
        "|---|" + "---:|" * (len(present) + 1 + bool(vs_head)),
    ]
    for name, r in rows.items():
        vals = " | ".join(f"{r[k]:.4f}" if k in r else "" for k in present)
        vs = f" | {r.get('vs_ar', '')}" if vs_head else ""
        lines.append(f"| {name} | {vals}{vs} | {r.get('train_s', 0):.0f} |")
    return "\n".join(lines)


def save(path: Path, rows: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows, indent=2, default=str), encoding="utf-8")


def with_wind_components(frame):
    """Wind as a vector: u = −s·sin θ, v = −s·cos θ (θ the direction it blows FROM, degrees),
    so north (360°) and 1° are neighbours and calm air has no direction."""
    theta = np.deg2rad(frame["wind_dir"].to_numpy(dtype=float))
    speed = frame["wind_speed"].to_numpy(dtype=float)
    return frame.assign(wind_u=-speed * np.sin(theta), wind_v=-speed * np.cos(theta))


def validation_blocks(w: SeriesWindows, spec: str) -> SeriesWindows:
    """Move the validation windows to the blocks ``"start:end,start:end"`` (end exclusive) of
    the years before the test: a window is "valid" if its H targets lie in a block, dropped
    if they straddle one, "train" otherwise; the test windows are untouched."""
    before = np.sort(np.concatenate([w.starts["train"], w.starts["valid"]]))  # origins t
    inside = np.zeros(len(w.index), dtype=bool)
    for block in spec.split(","):
        lo, hi = (np.datetime64(v, "h") for v in block.split(":"))
        if hi > np.datetime64("2024-01-01", "h") or lo >= hi:
            raise ValueError(f"expected validation blocks before 2024, got {block!r}")
        times = w.index.tz_convert(None).to_numpy().astype("datetime64[h]")
        inside |= (times >= lo) & (times < hi)
    count = np.concatenate([[0], np.cumsum(inside)])  # targets of t: rows [t, t + H)
    n_in = count[before + w.config.horizon] - count[before]
    out = copy.copy(w)
    out.starts = {
        "train": before[n_in == 0],
        "valid": before[n_in == w.config.horizon],
        "test": w.starts["test"],
    }
    return out


def load_points(paths: list[Path]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The actuals and the named point forecasts saved by ``--points`` runs (same test windows)."""
    actual, points = None, {}
    for path in paths:
        with np.load(path) as z:
            if actual is not None and not np.array_equal(actual, z["actual"]):
                raise ValueError(f"{path} was scored on other test windows than {paths[0]}")
            actual = z["actual"]
            for i, name in enumerate(z["names"]):
                points[f"{Path(path).stem}: {name}"] = z[f"p{i}"]
    return actual, points


__all__ = [
    "baselines",
    "load_points",
    "machine",
    "replace",
    "save",
    "table",
    "train_one",
    "validation_blocks",
    "with_wind_components",
]
