"""PNG plots of forecasts: one forecast against the actual values (with its interval),
forecasts from many origins, error by horizon step, and the models side by side.

matplotlib's Agg backend, no display. Axes carry the data's unit (``unit="°C"``)
and times are drawn in one stated zone (``tz``: the station's, else UTC) —
matplotlib would otherwise draw tz-aware times in UTC whatever their zone.
Legends sit outside the axes, so they never cover data; labels are plain text
(no mathtext).
"""

from __future__ import annotations

import functools
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from rnnlab.evaluation.figures import save_figure
from rnnlab.evaluation.forecasting import ForecastScores


def _plain_text(plot):
    """Run ``plot`` with mathtext off: a "$" in a column or model name stays a "$"."""

    @functools.wraps(plot)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context({"text.parse_math": False}):
            return plot(*args, **kwargs)

    return wrapper


def in_zone(times, tz: str | None) -> tuple[pd.DatetimeIndex, str]:
    """Times as naive wall-clock times of ``tz`` (UTC when None), and the zone's name."""
    times = pd.DatetimeIndex(times)
    zone = tz or "UTC"
    if times.tz is not None:
        times = times.tz_convert(zone).tz_localize(None)
    return times, zone


def with_unit(label: str, unit: str | None) -> str:
    return f"{label} ({unit})" if unit else label


@_plain_text
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
    unit: str | None = None,
    tz: str | None = None,
) -> Path:
    """The last L observations, then each forecast (and the actual values, and the interval)."""
    history_time, zone = in_zone(history_time, tz)
    future_time, _ = in_zone(future_time, tz)
    fig, ax = plt.subplots(figsize=(10, 4))
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
    return _save_over_time(fig, ax, path, title, with_unit(ylabel, unit), zone)


@_plain_text
def plot_rolling(
    path: str | Path,
    time,  # (N,) times of the observed series
    observed: np.ndarray,  # (N,) one target
    paths: list[tuple[object, np.ndarray]],  # (times (H,), forecast (H,)) per origin
    title: str = "",
    ylabel: str = "",
    unit: str | None = None,
    tz: str | None = None,
) -> Path:
    """The observed series and the forecast from each origin (one thin line each)."""
    time, zone = in_zone(time, tz)
    fig, ax = plt.subplots(figsize=(10, 4))
    ax.plot(time, observed, color="black", lw=1.0, label="observed")
    for j, (times, values) in enumerate(paths):
        ax.plot(in_zone(times, tz)[0], values, color="tab:blue", lw=0.9, alpha=0.7,
                label="forecast from each origin" if j == 0 else None)
    return _save_over_time(fig, ax, path, title, with_unit(ylabel, unit), zone)


def _save_over_time(fig, ax, path, title: str, ylabel: str, zone: str) -> Path:
    """Title, value axis, time axis named with its zone, legend outside; saved."""
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(f"time ({zone})")
    _legend_outside(ax)
    fig.autofmt_xdate()
    return _save(fig, path)


@_plain_text
def plot_error_by_horizon(
    path: str | Path,
    scores: dict[str, ForecastScores],
    metric: str = "mae",
    target: int = 0,
    step_label: str = "horizon step",
    unit: str | None = None,
) -> Path:
    """One line per model: the error at each horizon step."""
    fig, ax = plt.subplots(figsize=(9, 4))
    for name, s in scores.items():
        values = getattr(s, metric)[:, target]
        ax.plot(np.arange(1, len(values) + 1), values, marker=".", label=name)
    ax.set_xlabel(step_label)
    ax.set_ylabel(with_unit(metric.upper(), unit))
    ax.set_title(f"{metric.upper()} by horizon step")
    _legend_outside(ax)
    return _save(fig, path)


@_plain_text
def plot_models(path: str | Path, scores: dict[str, ForecastScores],
                unit: str | None = None) -> Path:
    """Overall MAE and RMSE of each model as grouped bars."""
    names = list(scores)
    mae = [scores[n].overall["mae"] for n in names]
    rmse = [scores[n].overall["rmse"] for n in names]
    x = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(max(6, 1.4 * len(names)), 4.5))
    ax.bar(x - 0.2, mae, 0.4, label="MAE")
    ax.bar(x + 0.2, rmse, 0.4, label="RMSE")
    ax.set_xticks(x, names, rotation=20, ha="right")
    ax.set_ylabel(with_unit("error", unit))
    ax.set_title("models side by side (same windows)")
    _legend_outside(ax)
    return _save(fig, path)


def _legend_outside(ax) -> None:
    """The legend right of the axes, where it covers no data."""
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)


def _save(fig, path: str | Path) -> Path:
    return save_figure(fig, path, dpi=100, tight=True)
