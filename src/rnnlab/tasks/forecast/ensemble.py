"""Forecast ensembles from trained runs: the mean of several forecasters' forecasts.

    rnnlab forecast train --data A001 --target temp --cell lstm --run-dir runs/lstm-0
    rnnlab forecast train ... --cell lstm --set train.seed=1 --run-dir runs/lstm-1
    rnnlab forecast train ... --cell gru --run-dir runs/gru-0
    rnnlab forecast ensemble runs/lstm-0 runs/lstm-1 runs/gru-0 --run-dir runs/mean3
    rnnlab forecast predict runs/mean3 --data NEW.CSV

An ensemble directory holds ``ensemble.json`` (the member run directories,
relative to it) and, once evaluated, its report and plots; the members stay
where they are, each a complete run that is trained, checkpointed and resumed
on its own. Members must read the same windows: the same columns, calendar,
window, split and scaler (the same data and split give the same scaler); the
model (cell, size, strategy, seed) may differ. ``load_run`` (runs.py)
recognises an ensemble directory, so ``evaluate`` and ``predict`` take it like any run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rnnlab.models.forecast_ensemble import ForecastEnsemble
from rnnlab.tasks.forecast.load import LoadedRun, load_single

ENSEMBLE_FILE = "ensemble.json"
_SAME_META = ("columns", "targets", "freq", "calendar")


def write_ensemble(members: Sequence[str | Path], run_dir: str | Path) -> LoadedRun:
    """Check that ``members`` can be averaged, then write ``run_dir/ensemble.json``."""
    run_dir = Path(run_dir)
    if len(members) < 2:
        raise ValueError(f"expected at least 2 member runs to average, got {len(members)}")
    if run_dir.resolve() in {Path(m).resolve() for m in members}:
        raise ValueError(f"the ensemble directory {run_dir} must not be one of its members")
    run_dir.mkdir(parents=True, exist_ok=True)
    paths = [os.path.relpath(Path(m).resolve(), run_dir.resolve()) for m in members]
    loaded = _load(run_dir, paths, "best")  # every check before anything is written
    tmp = run_dir / (ENSEMBLE_FILE + ".tmp")
    tmp.write_text(json.dumps({"members": paths}, indent=2), encoding="utf-8")
    tmp.replace(run_dir / ENSEMBLE_FILE)
    return loaded


def is_ensemble(run_dir: str | Path) -> bool:
    return (Path(run_dir) / ENSEMBLE_FILE).is_file()


def load_ensemble(run_dir: str | Path, which: str = "best") -> LoadedRun:
    """The ensemble in ``run_dir`` with every member's trained weights."""
    run_dir = Path(run_dir)
    try:
        paths = json.loads((run_dir / ENSEMBLE_FILE).read_text(encoding="utf-8"))["members"]
        if not (isinstance(paths, list) and paths and all(isinstance(p, str) for p in paths)):
            raise TypeError("members must be a non-empty list of paths")
    except (json.JSONDecodeError, KeyError, TypeError, UnicodeDecodeError) as err:
        raise ValueError(f"corrupt {run_dir / ENSEMBLE_FILE}: {err}") from None
    return _load(run_dir, paths, which)


def _load(run_dir: Path, paths: list[str], which: str) -> LoadedRun:
    runs = []
    for path in paths:
        member_dir = Path(os.path.normpath(run_dir / path))
        if is_ensemble(member_dir):
            raise ValueError(
                f"ensemble member {member_dir} is itself an ensemble; list its members instead"
            )
        try:
            runs.append(load_single(member_dir, which))
        except FileNotFoundError as err:
            raise FileNotFoundError(f"ensemble member {member_dir}: {err}") from None
    for path, run in zip(paths[1:], runs[1:], strict=True):
        _check_same(runs[0], run, f"{paths[0]} and {path}")
    first = runs[0]
    return LoadedRun(
        ForecastEnsemble([r.model for r in runs]), first.meta, first.scaler, first.config,
        first.ar,
    )


def _check_same(a: LoadedRun, b: LoadedRun, pair: str) -> None:
    """Members must see the same windows in the same units."""
    differences = [(key, a.meta.get(key), b.meta.get(key)) for key in _SAME_META]
    differences += [(name, a.config[name], b.config[name]) for name in ("window", "split")]
    for key, x, y in differences:
        if x != y:
            raise ValueError(f"ensemble members {pair} differ in {key}: {x} vs {y}")
    same_scale = np.allclose(a.scaler.mean, b.scaler.mean) and np.allclose(
        a.scaler.std, b.scaler.std
    )
    if not same_scale:
        raise ValueError(
            f"ensemble members {pair} were scaled differently (trained on other "
            "data): their scaler.json files differ"
        )
