"""Streaming forecasts: a new row in, the updated H-step forecast out, for B series at once.

``ForecastStream(load_run(run_dir), batch_size=B)`` keeps, per series, the last
L rows the model reads (:class:`rnnlab.models.streaming.WindowStream`), scaled
with the run's scaler and extended with the run's calendar features, so each
forecast is exactly what ``forecast predict`` gives for that origin. A row is
the raw values of the run's input columns (targets first, then the other
inputs, as ``columns``) at one timestamp shared by the B series (e.g. B weather
stations hour by hour); NaN makes that series' forecasts NaN until L complete
rows have passed again. Gap filling, done by the readers for files, is the
caller's job here. A run with static inputs (``[window] static``: a station's
lat, lon, altitude) needs them per series: ``static=[{"lat": …, "lon": …}, …]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import torch

from rnnlab.data.calendar import calendar_features
from rnnlab.data.windows import static_features
from rnnlab.models.streaming import WindowStream


class ForecastStream:
    """B independent series: ``push(time, rows (B, F0))`` -> the next H steps (or None)."""

    def __init__(self, run: Any, batch_size: int = 1, level: float | None = None,
                 static: Sequence[Mapping[str, float]] | None = None) -> None:
        window = run.config["window"]
        self.run, self.level = run, level
        names = tuple(getattr(window, "static", ()))
        if names and (static is None or len(static) != batch_size):
            raise ValueError(f"this run reads static inputs {list(names)}: give static= one "
                             f"mapping of them per series ({batch_size})")
        self.static = np.stack([static_features(dict(s), names) for s in static]) if names \
            else np.zeros((batch_size, 0), np.float32)  # (B, S)
        self.columns = list(window.targets) + [c for c in window.inputs if c not in window.targets]
        self.targets = list(window.targets)
        self.calendar = tuple(run.meta["calendar"])
        self.freq = run.meta.get("freq")
        if self.freq is None and self.calendar:
            raise ValueError("this run's series had no regular step: the calendar features of "
                             "the forecast steps cannot be computed while streaming")
        self.horizon = window.horizon
        width = len(self.columns) + 2 * len(self.calendar) + self.static.shape[1]
        self.window = WindowStream(run.model, window.lookback, width, batch_size)

    @property
    def batch_size(self) -> int:
        return self.window.batch_size

    def reset(self, streams: Any = None) -> None:
        """Forget every series' rows (None) or only ``streams``'."""
        self.window.reset(streams)

    def push(self, time: Any, rows: Any) -> dict[str, Any] | None:
        """Add the rows at ``time``; returns {"time": the H forecast times, "point": (B, H, K)
        (and "lo", "hi" with ``level``)} in data units, NaN for series with fewer than L
        complete rows, or None while no series has L rows yet."""
        time = pd.Timestamp(time)
        values = np.asarray(rows[self.columns] if isinstance(rows, pd.DataFrame) else rows,
                            dtype=float).reshape(self.batch_size, len(self.columns))
        scaled = self.run.scaler.transform(values, self.columns)  # (B, F0)
        now = calendar_features(pd.DatetimeIndex([time]), self.calendar).to_numpy()  # (1, 2C)
        row = np.concatenate([scaled, np.repeat(now, self.batch_size, 0), self.static], axis=1)
        window, complete = self.window.push(torch.from_numpy(row.astype(np.float32)))
        if not bool(complete.any()):
            return None
        future = (pd.date_range(time, periods=self.horizon + 1, freq=self.freq)[1:]
                  if self.freq else pd.DatetimeIndex([time] * self.horizon))
        ahead = calendar_features(future, self.calendar).to_numpy(np.float32)  # (H, 2C)
        known = np.concatenate([np.broadcast_to(ahead, (self.batch_size, *ahead.shape)),
                                np.repeat(self.static[:, None], self.horizon, 1)], axis=2)
        known = torch.from_numpy(np.ascontiguousarray(known, dtype=np.float32))  # (B, H, C)
        model = self.run.model
        with torch.no_grad():
            out = model.predict(window, known, self.level)
        parts = out if self.level is not None else (out,)
        result: dict[str, Any] = {"time": future}
        usable = (complete & ~torch.isnan(window).flatten(1).any(1)).numpy()
        for name, value in zip(("point", "lo", "hi"), parts, strict=False):
            data = self.run.scaler.inverse(value.float().numpy(), self.targets)  # (B, H, K)
            data[~usable] = np.nan
            result[name] = data
        return result
