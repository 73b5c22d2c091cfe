"""PNG plots of forecasts: one forecast against the actual values (with its interval),
error by horizon step, and the models side by side. matplotlib's Agg backend, no display."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from rnnlab.evaluation.forecasting import ForecastScores


def plot_forecast(
    path: str | Path,
    history_time,
    history: np.ndarray,  # (L,) past times and values of one target
    future_time,
    forecasts: dict[str, np.ndarray],  # (H,) times; name -> (H,) forecast
    actual: np.ndarray | None = None,  # (H,) or None when the future is unknown
    interval: tuple[np.ndarray, np.ndarray] | None = None,
    level: float | None = None,
    title: str = "",
    ylabel: str = "",
) -> Path:
    """The last L observations, then each forecast (and the actual values, and the interval)."""
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.plot(history_time, history, color="black", lw=1.2, label="observed")
    if actual is not None and not np.all(np.isnan(actual)):
        ax.plot(future_time, actual, color="black", lw=1.2, ls="--", label="actual")
    if interval is not None:
        label = f"{level:.0%} interval" if level else "interval"
        ax.fill_between(
            future_time, interval[0], interval[1], color="tab:blue", alpha=0.2, label=label
        )
    for name, values in forecasts.items():
        ax.plot(future_time, values, lw=1.5, label=name)
    ax.axvline(future_time[0], color="grey", lw=0.8)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8, ncol=3)
    fig.autofmt_xdate()
    return _save(fig, path)


def plot_error_by_horizon(
    path: str | Path,
    scores: dict[str, ForecastScores],
    metric: str = "mae",
    target: int = 0,
    step_label: str = "horizon step",
) -> Path:
    """One line per model: the error at each horizon step."""
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, s in scores.items():
        values = getattr(s, metric)[:, target]
        ax.plot(np.arange(1, len(values) + 1), values, marker=".", label=name)
    ax.set_xlabel(step_label)
    ax.set_ylabel(metric.upper())
    ax.set_title(f"{metric.upper()} by horizon step")
    ax.legend(fontsize=8)
    return _save(fig, path)


def plot_models(path: str | Path, scores: dict[str, ForecastScores]) -> Path:
    """Overall MAE and RMSE of each model as grouped bars."""
    names = list(scores)
    mae = [scores[n].overall["mae"] for n in names]
    rmse = [scores[n].overall["rmse"] for n in names]
    x = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(max(5, 1.3 * len(names)), 4))
    ax.bar(x - 0.2, mae, 0.4, label="MAE")
    ax.bar(x + 0.2, rmse, 0.4, label="RMSE")
    ax.set_xticks(x, names, rotation=20)
    ax.set_title("models side by side (same windows)")
    ax.legend()
    return _save(fig, path)


def _save(fig, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
