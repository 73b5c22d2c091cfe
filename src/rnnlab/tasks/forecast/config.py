"""The sections of a forecast run: [data], [window], [split], [model], [forecast].

A run directory made by ``rnnlab forecast train`` (or ``rnnlab train`` with
``[task] kind = "forecast"``) holds ``config.toml`` with these sections,
``forecast.json`` (columns, frequency, calendar, the model's shape) and
``scaler.json``: enough to rebuild the trained model and its data transform.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rnnlab.data.series_source import SeriesSource
from rnnlab.data.splits import SplitConfig
from rnnlab.data.windows import WindowConfig
from rnnlab.models.forecaster import ForecasterConfig
from rnnlab.tasks.kind import ConfigSchema

if TYPE_CHECKING:
    from rnnlab.tasks.config import RunConfig


@dataclass(frozen=True)
class ForecastOptions:
    """``[forecast]``: batching and evaluation settings."""

    batch_size: int = 64  # windows per optimizer step
    train_stride: int = 1  # use every n-th training origin (1: all)
    season: int | None = None  # seasonal-naive period in steps; None: from the frequency
    level: float = 0.9  # central interval reported for probabilistic models
    ar_ridge: float = 1.0  # λ of the linear AR baseline
    folds: int = 4  # rolling-origin backtest folds over the test period
    drift_sigma: float = 3.0  # warn when an input's mean moved more than this many training σ
    # (evaluate and predict compare the data read with the training scaler)
    impute_limit: int = 0  # predict: fill up to N missing steps per input column; 0 refuses
    # (the last value carried forward, counted in the CSV's "imputed" column)

    def __post_init__(self) -> None:
        if self.drift_sigma <= 0 or self.impute_limit < 0:
            raise ValueError(f"[forecast] drift_sigma > 0 and impute_limit >= 0 expected, got "
                             f"{self.drift_sigma} and {self.impute_limit}")
        for name in ("batch_size", "train_stride", "folds"):
            if getattr(self, name) < 1:
                raise ValueError(f"[forecast] {name}: expected >= 1, got {getattr(self, name)}")
        if self.season is not None and self.season < 1:
            raise ValueError(f"[forecast] season: expected >= 1, got {self.season}")
        if not 0.0 < self.level < 1.0:
            raise ValueError(f"[forecast] level: expected a number in (0, 1), got {self.level}")
        if self.ar_ridge < 0:
            raise ValueError(f"[forecast] ar_ridge: expected >= 0, got {self.ar_ridge}")


def check(config: RunConfig) -> None:
    """What no single section can check: the model's look-back needs against the window."""
    window, model = config["window"], config["model"]
    if not config["data"].path:
        raise ValueError("[data] path: expected at least one file or folder (--data PATH)")
    for name in ("highway", "residual_ar"):
        steps = getattr(model, name)
        if steps > window.lookback:
            raise ValueError(f"[model] {name} = {steps} reaches further back than "
                             f"[window] lookback = {window.lookback}")


SCHEMA = ConfigSchema(
    name="forecast",
    sections={
        "data": SeriesSource,
        "window": WindowConfig,
        "split": SplitConfig,
        "model": ForecasterConfig,
        "forecast": ForecastOptions,
    },
    check=check,
)
