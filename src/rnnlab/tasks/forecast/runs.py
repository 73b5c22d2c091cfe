"""``load_run``: a forecast run directory, single model or ensemble, ready to forecast."""

from __future__ import annotations

from pathlib import Path

from rnnlab.tasks.forecast.ensemble import is_ensemble, load_ensemble
from rnnlab.tasks.forecast.load import LoadedRun, load_single


def load_run(run_dir: str | Path, which: str = "best") -> LoadedRun:
    """The trained forecaster of ``run_dir``: a run of ``forecast train``, or the mean of the
    member runs listed by ``forecast ensemble`` (each with its trained weights)."""
    if is_ensemble(run_dir):
        return load_ensemble(run_dir, which)
    return load_single(run_dir, which)
