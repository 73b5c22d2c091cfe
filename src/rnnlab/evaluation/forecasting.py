"""Forecast errors per horizon step and overall: MAE, MSE, RMSE, MASE; interval coverage.

Symbols: B forecast origins, H horizon steps, K targets; ŷ and y are (B, H, K)
in the same units.

    MAE_h  = mean_b |ŷ_bh − y_bh|               RMSE_h = sqrt(mean_b (ŷ_bh − y_bh)²)
    MASE_h = MAE_h / s,   s = mean_t |y_t − y_{t−m}|   over the training series

s is the in-sample MAE of the one-step seasonal naive forecast with period m
(Hyndman & Koehler 2006), so MASE < 1 beats that naive forecast *in training*
on average. "Overall" pools every (b, h): overall RMSE is the root of the pooled
mean square, not a mean of per-step RMSEs. NaN targets (the future) are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ForecastScores:
    mae: np.ndarray  # (H, K) per step and target
    mse: np.ndarray  # (H, K)
    rmse: np.ndarray  # (H, K)
    mase: np.ndarray | None  # (H, K), None without a scale
    overall: dict[str, float]  # pooled over steps and targets: mae, mse, rmse, (mase)

    def table(self, targets: list[str] | tuple[str, ...]) -> list[dict[str, float]]:
        """One row per (step, target), steps counted from 1."""
        rows = []
        for h in range(self.mae.shape[0]):
            for k, name in enumerate(targets):
                row = {
                    "step": h + 1,
                    "target": name,
                    "mae": float(self.mae[h, k]),
                    "rmse": float(self.rmse[h, k]),
                    "mse": float(self.mse[h, k]),
                }
                if self.mase is not None:
                    row["mase"] = float(self.mase[h, k])
                rows.append(row)
        return rows


def mase_scale(train: np.ndarray, period: int) -> np.ndarray:
    """s_k = mean_t |y_t,k − y_{t−m},k| over training values (N, K), NaN pairs skipped."""
    train = np.asarray(train, dtype=float)
    if train.ndim == 1:
        train = train[:, None]
    if len(train) <= period:
        raise ValueError(f"expected more than {period} training rows for MASE, got {len(train)}")
    diffs = np.abs(train[period:] - train[:-period])  # (N − m, K)
    scale = np.nanmean(diffs, axis=0)
    if not np.all(scale > 0):
        bad = np.flatnonzero(~(scale > 0)).tolist()
        raise ValueError(f"MASE is undefined: the seasonal-naive error on the training rows is "
                         f"0 for target column(s) {bad} (the series is constant, or repeats "
                         f"itself exactly every {period} steps)")
    return scale


def score(pred: np.ndarray, actual: np.ndarray, scale: np.ndarray | None = None) -> ForecastScores:
    """Errors of forecasts ``pred`` against ``actual``, both (B, H, K)."""
    pred, actual = np.asarray(pred, dtype=float), np.asarray(actual, dtype=float)
    if pred.shape != actual.shape or pred.ndim != 3:
        raise ValueError(
            f"expected pred and actual of one shape (B, H, K), got {pred.shape} and {actual.shape}"
        )
    if np.isnan(pred).any():
        raise ValueError("forecasts contain NaN")
    err = pred - actual  # (B, H, K)
    seen = ~np.isnan(err)
    if not seen.any():
        raise ValueError("no actual values to score against")
    abs_err = np.where(seen, np.abs(err), 0.0)
    sq_err = np.where(seen, err**2, 0.0)
    count = np.maximum(seen.sum(axis=0), 1)  # (H, K)
    mae = abs_err.sum(axis=0) / count
    mse = sq_err.sum(axis=0) / count
    overall = {"mae": float(abs_err.sum() / seen.sum()), "mse": float(sq_err.sum() / seen.sum())}
    overall["rmse"] = float(np.sqrt(overall["mse"]))
    mase = None
    if scale is not None:
        scale = np.asarray(scale, dtype=float).reshape(1, -1)  # (1, K)
        mase = mae / scale
        overall["mase"] = float((abs_err / scale).sum() / seen.sum())
    return ForecastScores(mae, mse, np.sqrt(mse), mase, overall)


def interval_coverage(lower: np.ndarray, upper: np.ndarray, actual: np.ndarray) -> float:
    """Share of actual values inside [lower, upper] (the nominal level is what it should be)."""
    seen = ~np.isnan(actual)
    inside = (actual >= lower) & (actual <= upper) & seen
    return float(inside.sum() / max(seen.sum(), 1))


def pinball(pred: np.ndarray, actual: np.ndarray, q: float) -> float:
    """Mean quantile (pinball) loss: max(q (y − ŷ), (q − 1)(y − ŷ))."""
    diff = np.asarray(actual) - np.asarray(pred)
    seen = ~np.isnan(diff)
    return float(np.maximum(q * diff, (q - 1) * diff)[seen].mean())
