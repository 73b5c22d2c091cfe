"""Evaluate a forecast run against the baselines.

``evaluate_run`` scores the trained model and persistence, seasonal naive and
linear AR on the same windows, backtests them with rolling origins (the AR
refitted on an expanding window), and writes ``evaluation.json``,
``report.md`` and three PNGs into the run directory.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from rnnlab.data.series_source import load_series
from rnnlab.evaluation.backtest import refitting, rolling_origin
from rnnlab.evaluation.baselines import LinearAR, persistence, seasonal_naive, seasonal_period
from rnnlab.evaluation.forecast_plots import plot_error_by_horizon, plot_forecast, plot_models
from rnnlab.evaluation.forecast_report import (
    baseline_forecasts,
    compare,
    dm_against,
    dm_markdown,
    markdown_table,
    training_scale,
)
from rnnlab.evaluation.forecasting import interval_coverage
from rnnlab.models.forecast_ensemble import ForecastEnsemble
from rnnlab.models.forecaster import ForecasterConfig
from rnnlab.tasks.forecast.load import LoadedRun
from rnnlab.tasks.forecast.runs import load_run
from rnnlab.tasks.forecast.task import ForecastTask


def model_name(run: LoadedRun) -> str:
    if isinstance(run.model, ForecastEnsemble):
        names = dict.fromkeys(_name(m.config) for m in run.model.members)
        return f"mean-of-{len(run.model)} ({', '.join(names)})"
    return _name(run.model.config)


def _name(c: ForecasterConfig) -> str:
    body = c.cell if c.encoder == "rnn" else c.encoder
    return f"{body}-{c.strategy}" + ("" if c.output == "point" else f"-{c.output}")


def evaluate_run(
    run_dir: str | Path, split: str = "test", data: list[str] | None = None
) -> dict[str, Any]:
    run_dir = Path(run_dir)
    run = load_run(run_dir)
    source, split_cfg, options = run.config["data"], run.config["split"], run.config["forecast"]
    if data:
        source = replace(source, path=tuple(data))
    w = run.windows(load_series(source), split_cfg)
    if split == "auto":  # test when the split has one (train on 2021-2023, validate on 2024)
        split = "test" if len(w.starts["test"]) else "valid"
    starts = w.starts[split]
    if len(starts) == 0:
        raise ValueError(f"no complete {split} window to evaluate on")
    task = ForecastTask(run.model, w)
    probabilistic = run.model.config.output != "point"
    fc = task.forecast(starts, options.level if probabilistic else None)
    period = options.season or seasonal_period(w.freq)
    name = model_name(run)
    forecasts = {name: fc["point"]}
    if isinstance(run.model, ForecastEnsemble):  # each member too: what averaging gained
        for j, member in enumerate(run.model.members, 1):
            member_name = f"member-{j} ({_name(member.config)})"
            forecasts[member_name] = ForecastTask(member, w).forecast(starts)["point"]
    forecasts.update(baseline_forecasts(w, starts, period, options.ar_ridge))
    actual = w.actual(starts)
    scale = training_scale(w, period)
    scores = compare(forecasts, actual, scale)
    table = markdown_table(scores)
    result: dict[str, Any] = {
        "split": split,
        "windows": len(starts),
        "train_windows": len(w.starts["train"]),
        "season": period,
        "overall": {n: s.overall for n, s in scores.items()},
        "per_step": {n: s.table(w.config.targets) for n, s in scores.items()},
        "table": table,
        "dm_vs_linear_ar": dm_against(forecasts, actual, "linear_ar"),
    }
    if probabilistic:
        result["interval"] = {
            "level": options.level,
            "coverage": interval_coverage(fc["lo"], fc["hi"], actual),
        }
    result["backtest"] = _backtest(task, w, starts, period, options, scale, name)
    (run_dir / "evaluation.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    _plots(run_dir, w, starts, forecasts, fc, scores, options.level if probabilistic else None)
    _report(run_dir, result, w)
    return result


def _backtest(task, w, starts, period, options, scale, name) -> list[dict[str, Any]]:
    folds = min(options.folds, len(starts))
    pool = w.starts["train"]
    pool = np.concatenate([pool, w.starts["valid"], w.starts["test"]])

    def fit_ar(train_starts):
        return lambda s: LinearAR(options.ar_ridge).fit(w, train_starts).predict(w, s)

    forecasters = {
        name: lambda s, _: task.forecast(s)["point"],
        "persistence": lambda s, _: persistence(w, s),
        "linear_ar (refit)": refitting(fit_ar, w, pool),
    }
    if period <= w.config.lookback:
        forecasters["seasonal_naive"] = lambda s, _: seasonal_naive(w, s, period)
    return rolling_origin(w, forecasters, starts, folds, scale)


def _plots(run_dir, w, starts, forecasts, fc, scores, level) -> None:
    t = int(starts[len(starts) // 2])  # one example window, mid-split
    i = len(starts) // 2
    L, H = w.config.lookback, w.config.horizon
    target = w.config.targets[0]
    interval = (fc["lo"][i, :, 0], fc["hi"][i, :, 0]) if level else None
    plot_forecast(
        run_dir / "plots" / "forecast_example.png",
        w.index[t - L : t],
        w.history(np.array([t]))[0, :, 0],
        w.index[t : t + H],
        {n: f[i, :, 0] for n, f in forecasts.items()},
        w.actual(np.array([t]))[0, :, 0],
        interval,
        level,
        title=f"{target}: forecast from {w.index[t]:%Y-%m-%d %H:%M}",
        ylabel=target,
    )
    plot_error_by_horizon(run_dir / "plots" / "error_by_horizon.png", scores)
    plot_models(run_dir / "plots" / "models.png", scores)


def _report(run_dir: Path, result: dict[str, Any], w) -> None:
    lines = [
        f"# Forecast evaluation ({result['split']}, {result['windows']} windows)",
        "",
        f"Targets {list(w.config.targets)}, lookback {w.config.lookback}, horizon "
        f"{w.config.horizon}; seasonal period {result['season']}; data units; MASE scaled "
        "by the training in-sample seasonal-naive MAE.",
        "",
        result["table"],
        "",
    ]
    if result["dm_vs_linear_ar"]:
        lines += [
            "Diebold–Mariano test against the linear AR (HAC lag 2H, Harvey–Leybourne–Newbold "
            "correction; negative: lower loss than the AR; p two-sided):",
            "",
            dm_markdown(result["dm_vs_linear_ar"], "linear_ar"),
            "",
        ]
    if "interval" in result:
        iv = result["interval"]
        lines += [f"{iv['level']:.0%} interval coverage: {iv['coverage']:.3f}", ""]
    lines += [
        "## Rolling-origin backtest",
        "",
        "| fold | from | to | model | MAE | RMSE |",
        "|---:|---|---|---|---:|---:|",
    ]
    for r in result["backtest"]:
        lines.append(
            f"| {r['fold']} | {r['from'][:16]} | {r['to'][:16]} | {r['model']} | "
            f"{r['mae']:.4f} | {r['rmse']:.4f} |"
        )
    lines += [
        "",
        "![forecast](plots/forecast_example.png)",
        "![error by horizon](plots/error_by_horizon.png)",
        "![models](plots/models.png)",
    ]
    (run_dir / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def finish(config: Any, run_dir: Path, task: Any) -> dict[str, Any]:
    """After training: the test (or validation) windows against the baselines, report.md."""
    return evaluate_run(run_dir, "auto")
