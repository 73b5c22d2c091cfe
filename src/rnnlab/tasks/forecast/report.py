"""The files of one forecast evaluation: report.md and plots/ (evaluation.json is the data).

Every report states what was evaluated (data, period, windows, the training
period), the scores of the model and the baselines on the same windows, the
Diebold–Mariano test of the model against each baseline, the interval
coverage of a probabilistic model, the drift of every input against the
training scaler, and a rolling-origin backtest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from rnnlab.evaluation.forecast_plots import plot_error_by_horizon, plot_forecast, plot_models
from rnnlab.evaluation.forecast_report import dm_markdown


def write_plots(target: Path, w, starts, forecasts, fc, scores, meta: dict,
                level: float | None = None) -> None:
    """plots/forecast_example.png (one window mid-period), error_by_horizon.png, models.png."""
    i = len(starts) // 2
    t = int(starts[i])  # one example window, mid-period
    L, H = w.config.lookback, w.config.horizon
    target_name = w.config.targets[0]
    unit = meta.get("units", {}).get(target_name)
    tz = meta.get("local_tz")
    interval = (fc["lo"][i, :, 0], fc["hi"][i, :, 0]) if fc is not None else None
    origin = w.index[t].tz_convert(tz) if (tz and w.index.tz is not None) else w.index[t]
    plot_forecast(
        target / "plots" / "forecast_example.png",
        w.index[t - L : t],
        w.history(np.array([t]))[0, :, 0],
        w.index[t : t + H],
        {n: f[i, :, 0] for n, f in forecasts.items()},
        w.actual(np.array([t]))[0, :, 0],
        interval,
        level,
        title=f"{target_name}: forecast from {origin:%Y-%m-%d %H:%M} ({tz or 'UTC'})",
        ylabel=target_name,
        unit=unit,
        tz=tz,
    )
    plot_error_by_horizon(target / "plots" / "error_by_horizon.png", scores, unit=unit)
    plot_models(target / "plots" / "models.png", scores, unit=unit)


def write_report(target: Path, result: dict[str, Any], w, meta: dict) -> None:
    what = "the run's data" if not result.get("data") else ", ".join(result["data"])
    span = result["period"]
    lines = [
        f"# Forecast evaluation: {result['windows']} windows",
        "",
        f"Data: {what}; {'split ' + result['split'] if result['split'] != 'period' else 'period'}"
        f" — targets from {span['first_target']} to {span['last_target']} (UTC). The model "
        f"was trained on {' .. '.join(result['train_period'] or ['?'])}.",
        "",
        f"Targets {list(w.config.targets)}, lookback {w.config.lookback}, horizon "
        f"{w.config.horizon}; seasonal period {result['season']}; data units "
        f"({_units(meta, w)}); MASE scaled by the training in-sample seasonal-naive MAE. "
        "`linear_ar` is the AR trained with the model (same window, same training rows).",
        "",
        result["table"],
        "",
    ]
    lines += _significance(result)
    if "interval" in result:
        iv = result["interval"]
        lines += [f"{iv['level']:.0%} interval coverage: {iv['coverage']:.3f}", ""]
    else:
        lines += ["Interval coverage: none (the model gives point forecasts).", ""]
    lines += _drift(result)
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
    (target / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _units(meta: dict, w) -> str:
    units = meta.get("units", {})
    return ", ".join(f"{t} in {units[t]}" for t in w.config.targets if t in units) or "as read"


def _significance(result: dict[str, Any]) -> list[str]:
    if not result["dm"]:
        return ["Diebold–Mariano test: too few windows (more than 2H are needed).", ""]
    lines = ["Diebold–Mariano test of the model against each baseline (HAC lag 2H, "
             "Harvey–Leybourne–Newbold correction; negative: lower loss than the baseline; "
             "p two-sided):", ""]
    for reference, by_model in result["dm"].items():
        lines += [dm_markdown(by_model, reference), ""]
    return lines


def _drift(result: dict[str, Any]) -> list[str]:
    lines = ["## Drift of the inputs against the training scaler", ""]
    if result["drift_warnings"]:
        lines += [f"**Warning:** {m}" for m in result["drift_warnings"]] + [""]
    else:
        lines += ["No input's mean is beyond the drift threshold.", ""]
    lines += ["| input | mean here | training mean | shift (σ) | spread ratio |",
              "|---|---:|---:|---:|---:|"]
    for d in result["drift"]:
        lines.append(f"| {d['column']} | {d['mean']:.4g} | {d['train_mean']:.4g} | "
                     f"{d['shift']:+.2f} | {d['ratio']:.2f} |")
    return [*lines, ""]


def summary_text(report: dict[str, Any], report_dir: Path | str) -> str:
    """What the forecast commands print: the windows, the score table, the Diebold–Mariano
    tests, the interval coverage, a drift note, and where report.md is."""
    span = report["period"]
    lines = [f"{report['windows']} windows, targets {span['first_target']} .. "
             f"{span['last_target']} (UTC)", report["table"]]
    for reference, results in report["dm"].items():
        lines += ["", f"Diebold–Mariano test against {reference} (negative: lower loss; p "
                  "two-sided)", dm_markdown(results, reference)]
    if "interval" in report:
        iv = report["interval"]
        lines += ["", f"{iv['level']:.0%} interval coverage: {iv['coverage']:.3f}"]
    if report["drift_warnings"]:  # each was logged as a warning when it was found
        lines += ["", f"{len(report['drift_warnings'])} input(s) drifted: see the warnings above"]
    lines.append(f"report: {Path(report_dir) / 'report.md'}")
    return "\n".join(lines)
