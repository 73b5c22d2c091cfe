"""The honest comparison: a model's forecasts beside persistence, seasonal naive and linear AR.

Every forecaster is scored on the same windows (same origins, same targets,
data units), and the table says how each compares with the best baseline.
"""

from __future__ import annotations

import numpy as np

from rnnlab.data.windows import SeriesWindows
from rnnlab.evaluation.baselines import LinearAR, persistence, seasonal_naive
from rnnlab.evaluation.forecast_tests import LOSSES, compare_forecasts
from rnnlab.evaluation.forecasting import ForecastScores, mase_scale, score

BASELINES = ("persistence", "seasonal_naive", "linear_ar")


def is_baseline(name: str) -> bool:
    """The three baselines, and labelled variants such as "linear_ar (refit on new data)"."""
    return name in BASELINES or name.split(" (", 1)[0] in BASELINES


def baseline_forecasts(
    w: SeriesWindows, starts: np.ndarray, period: int, ar: LinearAR | float = 1.0
) -> dict[str, np.ndarray]:
    """(B, H, K) forecasts of the three baselines. ``ar``: a fitted LinearAR (the one trained
    with the model), or a ridge λ to fit one on the training windows of ``w``."""
    if not isinstance(ar, LinearAR):
        ar = LinearAR(ar).fit(w, w.starts["train"])
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
    best = min((s.overall["mae"] for n, s in scores.items() if is_baseline(n)), default=None)
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


def dm_against(
    forecasts: dict[str, np.ndarray], actual: np.ndarray, reference: str = "linear_ar"
) -> dict[str, dict[str, dict[str, float]]]:
    """Diebold–Mariano test of every non-baseline forecast against ``reference``.

    Origins whose actuals hold a NaN (masked gaps) are left out. Returns
    {model: {loss: {"statistic", "p_value", "n"}}}; negative statistic: the
    model has the lower loss. Empty when there are too few origins for the test
    (T must exceed twice the horizon).
    """
    keep = np.isfinite(actual).all(axis=(1, 2))  # (T,)
    H = actual.shape[1]
    if reference not in forecasts or keep.sum() <= 2 * H:
        return {}
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name, pred in forecasts.items():
        if is_baseline(name):
            continue
        out[name] = {}
        for loss in LOSSES:
            r = compare_forecasts(pred[keep], forecasts[reference][keep], actual[keep], loss)
            out[name][loss] = {"statistic": r.statistic, "p_value": r.p_value, "n": r.n}
    return out


def dm_all(
    forecasts: dict[str, np.ndarray], actual: np.ndarray
) -> dict[str, dict[str, dict[str, dict[str, float]]]]:
    """``dm_against`` every baseline present: {baseline: {model: {loss: result}}}."""
    out = {}
    for reference in forecasts:
        if is_baseline(reference):
            result = dm_against(forecasts, actual, reference)
            if result:
                out[reference] = result
    return out


def format_p(p: float) -> str:
    """A p-value for a table: two significant digits, ``<1e-4`` below that (never ``0``)."""
    return "<1e-4" if p < 1e-4 else f"{p:.2g}"


def dm_markdown(results: dict[str, dict[str, dict[str, float]]], reference: str) -> str:
    """| model | DM squared (p) | DM absolute (p) | against ``reference``."""
    lines = [
        f"| model vs {reference} | DM, squared error | p | DM, absolute error | p |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, by_loss in results.items():
        cells = [f"{by_loss[k]['statistic']:+.2f} | {format_p(by_loss[k]['p_value'])}"
                 for k in LOSSES]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
