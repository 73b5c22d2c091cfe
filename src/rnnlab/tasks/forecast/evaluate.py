"""Evaluate a forecast run against the baselines, on its own test split or on any data.

    evaluate_run(run)                                  the run's test (or validation) split
    evaluate_run(run, data=["A001_2025.CSV"])          every window of a new file, no split
    evaluate_run(run, data=[...], start="2025-02-01", end="2025-03-01")   targets in [start, end)

Scored on the same windows: the model, persistence, seasonal naive, the linear
AR **as trained with the model** (saved in the run at train time) and, on new
data, a linear AR refitted on that data, labelled as such (on the windows
before the period when there are any, else in-sample). Every report holds the
Diebold–Mariano test of the model against each baseline, the interval coverage
of a probabilistic model, a rolling-origin backtest and the drift check of
every input (``evaluation/drift.py``). The run's own report (``report.md`` in
the run, written once by ``finish`` after training) is never overwritten: any
other evaluation goes to ``RUN/evaluations/<name>/`` or to ``out`` — nothing
else in the run is written, so a read-only run evaluates with ``out``.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from rnnlab.data.series_source import load_series
from rnnlab.data.splits import row_position
from rnnlab.evaluation.backtest import refitting, rolling_origin
from rnnlab.evaluation.baselines import LinearAR, persistence, seasonal_naive, seasonal_period
from rnnlab.evaluation.drift import check_drift, drift_records, warn_drift
from rnnlab.evaluation.forecast_report import (
    baseline_forecasts,
    compare,
    dm_all,
    markdown_table,
    training_scale,
)
from rnnlab.evaluation.forecasting import interval_coverage
from rnnlab.models.forecast_ensemble import ForecastEnsemble
from rnnlab.models.forecaster import ForecasterConfig
from rnnlab.tasks.forecast.load import LoadedRun
from rnnlab.tasks.forecast.report import write_plots, write_report
from rnnlab.tasks.forecast.runs import load_run
from rnnlab.tasks.forecast.task import ForecastTask
from rnnlab.training.files import check_writable

EVALUATIONS = "evaluations"  # RUN/evaluations/<name>/: every evaluation after training


def model_name(run: LoadedRun) -> str:
    if isinstance(run.model, ForecastEnsemble):
        names = dict.fromkeys(_name(m.config) for m in run.model.members)
        return f"mean-of-{len(run.model)} ({', '.join(names)})"
    return _name(run.model.config)


def _name(c: ForecasterConfig) -> str:
    body = c.cell if c.encoder == "rnn" else c.encoder
    return f"{body}-{c.strategy}" + ("" if c.output == "point" else f"-{c.output}")


def evaluation_dir(run_dir: Path, data: list[str] | None, split: str, start: str | None,
                   end: str | None, name: str | None = None) -> Path:
    """RUN/evaluations/<name>; the default name says what was evaluated (data, period)."""
    if name is None:
        parts = [Path(data[0]).name.split(".")[0] + (f"+{len(data) - 1}" if len(data) > 1 else "")
                 ] if data else []
        parts += [p for p in (start, end) if p] or ([] if data else [split])
        name = "_".join(parts)
    name = re.sub(r"[^\w.+-]+", "-", name).strip("-")
    if not name or name in (".", ".."):
        raise ValueError(f"expected an evaluation name of letters, digits, '.', '-', got {name!r}")
    return run_dir / EVALUATIONS / name


def evaluate_run(
    run_dir: str | Path,
    split: str = "auto",
    data: list[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    *,
    name: str | None = None,
    out: str | Path | None = None,
    own_report: bool = False,
) -> dict[str, Any]:
    """Score the run on ``split`` of its data, or on ``data``; targets in [start, end).

    Writes evaluation.json, report.md and plots/ into ``out``, else into
    RUN/evaluations/<name>/ (``own_report=True``: the run's own report, into RUN).
    """
    run_dir = Path(run_dir)
    if split not in ("auto", "valid", "test"):
        raise ValueError(f"split: expected 'auto', 'valid' or 'test', got {split!r}")
    if data and split != "auto":
        raise ValueError(f"--split {split} picks windows of the run's own data; new data is read "
                         "whole: choose its windows with --start/--end")
    run = load_run(run_dir)
    if own_report:
        target = run_dir
    else:
        target = Path(out) if out is not None else evaluation_dir(
            run_dir, data, split, start, end, name)
    try:
        check_writable(target)
    except ValueError as err:
        raise ValueError(f"cannot write the evaluation: {err}; give --out DIR") from None
    source = run.config["data"]
    if data:  # new data: INMET or CSV whatever the run read, whole (no split, no row cap)
        source = replace(source, path=tuple(str(p) for p in data), format="auto",
                         encoding=None, first_rows=None)
    frame = load_series(source)
    w = run.windows(frame, None if data else run.config["split"])
    if data or start or end:
        rows = w.index[: w.rows]
        lo = row_position(rows, start, "start") if start else 0
        hi = row_position(rows, end, "end") if end else w.rows
        starts, split = w.origins_between(lo, hi), "period"
    else:
        if split == "auto":  # test when the split has one (train on 2021-2023, validate on 2024)
            split = "test" if len(w.starts["test"]) else "valid"
        starts = w.starts[split]
    if len(starts) == 0:
        where = f"the {split} split" if split != "period" else \
            f"[{start or 'the start'}, {end or 'the end'})"
        raise ValueError(f"no complete window of lookback + horizon = {w.config.lookback} + "
                         f"{w.config.horizon} steps with its targets in {where} of the data "
                         f"({w.index[0]} .. {w.index[w.rows - 1]})")
    result = _score(run, w, starts, frame, bool(data))
    result.update(split=split, data=list(data) if data else None, start=start, end=end)
    if not data:
        result["train_windows"] = len(w.starts["train"])
    forecasts, interval, scores = (result.pop(k) for k in ("_forecasts", "_interval", "_scores"))
    target.mkdir(parents=True, exist_ok=True)
    (target / "evaluation.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    write_plots(target, w, starts, forecasts, interval, scores, run.meta,
                result.get("interval", {}).get("level"))
    write_report(target, result, w, run.meta)
    result["dir"] = str(target)
    return result


def _score(run: LoadedRun, w, starts: np.ndarray, frame, new_data: bool) -> dict[str, Any]:
    options = run.config["forecast"]
    probabilistic = run.model.config.output != "point"
    level = options.level if probabilistic else None
    task = ForecastTask(run.model, w)
    fc = task.forecast(starts, level)
    period = run.model.shape.season or options.season or seasonal_period(w.freq)
    name = model_name(run)
    forecasts = {name: fc["point"]}
    if isinstance(run.model, ForecastEnsemble):  # each member too: what averaging gained
        for j, member in enumerate(run.model.members, 1):
            forecasts[f"member-{j} ({_name(member.config)})"] = ForecastTask(
                member, w).forecast(starts)["point"]
    ar, scale = _trained_reference(run, period)
    forecasts.update(baseline_forecasts(w, starts, period, ar))
    if new_data:
        label, refit = _refit_ar(w, starts, options.ar_ridge)
        forecasts[label] = refit
    actual = w.actual(starts)
    scores = compare(forecasts, actual, scale)
    D = len(w.scaler.columns)
    rows = np.arange(int(starts.min()) - w.config.lookback, int(starts.max()))  # inputs read
    inputs = w.columns[:D]
    drift = check_drift(frame[inputs].to_numpy(dtype=float)[rows], inputs,
                        w.scaler, options.drift_sigma)
    result: dict[str, Any] = {
        "windows": len(starts),
        "period": {"first_target": str(w.index[starts[0]]),
                   "last_target": str(w.index[starts[-1] + w.config.horizon - 1])},
        "train_period": run.meta.get("train_period"),
        "season": period,
        "overall": {n: s.overall for n, s in scores.items()},
        "per_step": {n: s.table(w.config.targets) for n, s in scores.items()},
        "table": markdown_table(scores),
        "dm": dm_all(forecasts, actual),
        "drift": drift_records(drift),
        "drift_warnings": warn_drift(drift, run.meta.get("units")),
        "backtest": _backtest(task, w, starts, period, options, scale, name, ar, new_data),
    }
    if probabilistic:
        result["interval"] = {"level": level,
                              "coverage": interval_coverage(fc["lo"], fc["hi"], actual)}
    result.update(_forecasts=forecasts, _interval=fc if probabilistic else None, _scores=scores)
    return result


def _trained_reference(run: LoadedRun, period: int) -> tuple[LinearAR, np.ndarray | None]:
    """The linear AR trained with the model and the MASE scale of its training rows, from the
    run's files; runs made before they were saved recompute them from the run's own data."""
    scale = run.meta.get("mase_scale")
    if run.ar is not None and scale is not None:
        return run.ar, np.asarray(scale)
    own = run.windows(load_series(run.config["data"]), run.config["split"])
    ar = run.ar or LinearAR(run.config["forecast"].ar_ridge).fit(own, own.starts["train"])
    return ar, np.asarray(scale) if scale is not None else training_scale(own, period)


def _refit_ar(w, starts: np.ndarray, ridge: float) -> tuple[str, np.ndarray]:
    """A linear AR fitted on the new data: on its windows whose targets end before the
    period, or (none there) on the evaluated windows themselves, labelled in-sample."""
    before = w.origins_between(0, int(starts[0]))
    if len(before):
        return ("linear_ar (refit on the new data before the period)",
                LinearAR(ridge).fit(w, before).predict(w, starts))
    return ("linear_ar (refit on the evaluated windows, in-sample)",
            LinearAR(ridge).fit(w, starts).predict(w, starts))


def _backtest(task, w, starts, period, options, scale, name, ar, new_data) -> list[dict]:
    folds = min(options.folds, len(starts))
    if new_data:
        pool = w.origins_between(0, w.rows)
    else:
        pool = np.concatenate([w.starts["train"], w.starts["valid"], w.starts["test"]])

    def fit_ar(train_starts):
        return lambda s: LinearAR(options.ar_ridge).fit(w, train_starts).predict(w, s)

    forecasters = {
        name: lambda s, _: task.forecast(s)["point"],
        "persistence": lambda s, _: persistence(w, s),
        "linear_ar": lambda s, _: ar.predict(w, s),
        "linear_ar (refit)": refitting(fit_ar, w, pool),
    }
    if period <= w.config.lookback:
        forecasters["seasonal_naive"] = lambda s, _: seasonal_naive(w, s, period)
    return rolling_origin(w, forecasters, starts, folds, scale)


def finish(config: Any, run_dir: Path, task: Any) -> dict[str, Any]:
    """After training: the test (or validation) windows against the baselines, report.md."""
    return evaluate_run(run_dir, "auto", own_report=True)
