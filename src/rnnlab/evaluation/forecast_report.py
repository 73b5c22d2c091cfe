"""The honest comparison: a model's forecasts beside persistence, seasonal naive and linear AR.

Every forecaster is scored on the same windows (same origins, same targets,
data units), and the table says how each compares with the best baseline.
"""

from __future__ import annotations

import numpy as np

from rnnlab.data.windows import SeriesWindows
from rnnlab.evaluation.baselines import LinearAR, persistence, seasonal_naive
from rnnlab.evaluation.forecasting import ForecastScores, mase_scale, score

BASELINES = ("persistence", "seasonal_naive", "linear_ar")


def baseline_forecasts(
    w: SeriesWindows, starts: np.ndarray, period: int, ridge: float = 1.0
) -> dict[str, np.ndarray]:
    """(B, H, K) forecasts of the three baselines; the AR is fitted on the training windows."""
    ar = LinearAR(ridge).fit(w, w.starts["train"])
    out = {"persistence": persistence(w, starts)}
    if period <= w.config.lookback:
        out["seasonal_naive"] = seasonal_naive(w, starts, period)
    out["linear_ar"] = ar.predict(w, starts)
    return out


def training_scale(w: SeriesWindows, period: int) -> np.ndarray:
    """MASE scale from the training rows (those before the first validation target)."""
    end = int(w.starts["valid"][0]) if len(w.starts["valid"]) else int(w.starts["train"][-1])
    return mase_scale(w.values[:end], min(period, max(end - 1, 1)))


def compare(
    forecasts: dict[str, np.ndarray], actual: np.ndarray, scale: np.ndarray | None
) -> dict[str, ForecastScores]:
    return {name: score(pred, actual, scale) for name, pred in forecasts.items()}


def markdown_table(scores: dict[str, ForecastScores]) -> str:
    """| model | MAE | RMSE | MASE | vs best baseline (MAE) |"""
    best = min((s.overall["mae"] for n, s in scores.items() if n in BASELINES), default=None)
    lines = [
        "| model | MAE | RMSE | MSE | MASE | MAE vs best baseline |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, s in scores.items():
        o = s.overall
        rel = "" if best is None else f"{100.0 * (o['mae'] / best - 1.0):+.1f}%"
        mase = f"{o['mase']:.3f}" if "mase" in o else ""
        lines.append(
            f"| {name} | {o['mae']:.4f} | {o['rmse']:.4f} | {o['mse']:.4f} | {mase} | {rel} |"
        )
    return "\n".join(lines)
