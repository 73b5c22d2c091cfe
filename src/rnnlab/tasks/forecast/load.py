"""One trained forecast run rebuilt from its files: model, metadata, scaler, config."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from rnnlab.config import from_dict
from rnnlab.data.scalers import StandardScaler
from rnnlab.data.splits import SplitConfig
from rnnlab.data.windows import SeriesWindows
from rnnlab.evaluation.baselines import LinearAR
from rnnlab.models.forecaster import Forecaster, ForecasterConfig, ForecastShape
from rnnlab.tasks.config import RunConfig, read_run_config
from rnnlab.tasks.forecast.config import SCHEMA
from rnnlab.tasks.forecast.task import AR_FILE, META_FILE, SCALER_FILE
from rnnlab.training.checkpoint import load_weights


@dataclass
class LoadedRun:
    """A forecaster with trained weights and what it needs to read new data the same way."""

    model: Forecaster  # or a ForecastEnsemble (same predict) for an ensemble directory
    meta: dict[str, Any]  # forecast.json: columns, targets, freq, calendar, model, shape
    scaler: StandardScaler
    config: RunConfig
    ar: LinearAR | None = field(default=None)  # the linear AR trained with the model
    # (None for runs made before it was saved: evaluate refits it on the run's training data)

    def windows(self, frame: pd.DataFrame, split: SplitConfig | None = None) -> SeriesWindows:
        """Windows over new data with the run's scaler, columns and calendar features."""
        window = replace(self.config["window"], calendar=tuple(self.meta["calendar"]))
        w = SeriesWindows.build(frame, window, split, scaler=self.scaler)
        if w.columns != self.meta["columns"]:
            raise ValueError(f"expected input columns {self.meta['columns']}, got {w.columns}")
        return w


def load_single(run_dir: str | Path, which: str = "best") -> LoadedRun:
    """Model (with trained weights), metadata and scaler of one run, from its files alone."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise FileNotFoundError(f"run directory not found: {run_dir}")
    if not (run_dir / META_FILE).is_file():
        raise FileNotFoundError(f"{run_dir} is not a forecast run: no {META_FILE}")
    config = read_run_config(run_dir, SCHEMA)
    try:
        meta = json.loads((run_dir / META_FILE).read_text(encoding="utf-8"))
        model_cfg = from_dict(ForecasterConfig, meta["model"])
        shape = ForecastShape(**meta["shape"])
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, ValueError) as err:
        raise ValueError(f"corrupt {run_dir / META_FILE}: {err}") from None
    model = Forecaster(model_cfg, shape)
    load_weights(model, run_dir, which)
    model.eval()
    scaler = StandardScaler.load(run_dir / SCALER_FILE)
    ar = LinearAR.load(run_dir / AR_FILE) if (run_dir / AR_FILE).is_file() else None
    return LoadedRun(model, meta, scaler, config, ar)
