"""Forecast windows over a multivariate series, without leakage.

Symbols: N rows, L lookback, H horizon, F input features, K targets, C known
(calendar) features, B windows in a batch. A window with origin t reads rows
[t − L, t) and forecasts the targets at rows [t, t + H):

    x = X[t − L : t]          (L, F)   scaled inputs: targets, other columns, calendar
    y = Y[t : t + H]          (H, K)   scaled targets
    c = C[t : t + H]          (H, C)   calendar features of the forecast steps (known ahead)

The scaler is fitted on the training rows only; a window is used only if none
of its rows is missing (long gaps stay NaN after reading, so they mask every
window that touches them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rnnlab.data.calendar import CALENDAR_KINDS, calendar_features, default_calendar
from rnnlab.data.gaps import infer_step
from rnnlab.data.scalers import StandardScaler
from rnnlab.data.splits import SplitConfig, split_rows

# static inputs: header field -> fixed divisor (a fitted scaler would divide by σ = 0 when the
# training data come from one station); values of order 1 for any station on Earth
STATIC_SCALE = {"lat": 90.0, "lon": 180.0, "altitude": 1000.0}


@dataclass(frozen=True)
class WindowConfig:
    lookback: int = 72  # L: input steps
    horizon: int = 24  # H: steps forecast from each origin
    targets: tuple[str, ...] = ("temp",)  # K columns to forecast (always inputs too)
    inputs: tuple[str, ...] = ()  # extra input columns besides the targets
    calendar: tuple[str, ...] | None = None  # "hour", "doy", "dow", "month"; None: by frequency
    static: tuple[str, ...] = ()  # header fields as constant inputs: "lat", "lon", "altitude"
    # (station metadata in frame.attrs, as INMET files carry it; divided by 90, 180, 1000 m)

    def __post_init__(self) -> None:
        if self.lookback < 1 or self.horizon < 1:
            raise ValueError(f"[window] lookback and horizon: expected >= 1, got "
                             f"{self.lookback} and {self.horizon}")
        if not self.targets:
            raise ValueError("[window] targets: expected at least one column to forecast")
        if self.calendar is not None:
            unknown = sorted(set(self.calendar) - set(CALENDAR_KINDS))
            if unknown:
                raise ValueError(f"[window] calendar: unknown feature(s) {unknown}; "
                                 f"known: {list(CALENDAR_KINDS)}")
        unknown = sorted(set(self.static) - set(STATIC_SCALE))
        if unknown:
            raise ValueError(f"[window] static: unknown field(s) {unknown}; known: "
                             f"{list(STATIC_SCALE)}")


class SeriesWindows:
    """Scaled arrays and the window origins of each split. Build with ``SeriesWindows.build``."""

    def __init__(self, index, values, x, y, known, starts, config, scaler, columns, freq):
        self.index: pd.DatetimeIndex = index  # (N + H,) the series, then H future steps
        self.values: np.ndarray = values  # (N + H, K) targets in data units (NaN beyond N)
        self.x: np.ndarray = x  # (N + H, F) scaled inputs + calendar
        self.y: np.ndarray = y  # (N + H, K) scaled targets
        self.known: np.ndarray = known  # (N + H, C) calendar features
        self.starts: dict[str, np.ndarray] = starts  # split -> window origins t
        self.config: WindowConfig = config
        self.scaler: StandardScaler = scaler
        self.columns: list[str] = columns  # F names: targets, inputs, calendar
        self.freq: str | None = freq
        self.rows = len(index) - config.horizon  # N real rows

    @classmethod
    def build(
        cls,
        frame: pd.DataFrame,
        config: WindowConfig,
        split: SplitConfig | None = None,
        scaler: StandardScaler | None = None,
    ) -> SeriesWindows:
        """Windows over ``frame``; ``scaler=None`` fits one on the training rows of ``split``.

        With a given (trained) scaler the frame may be as short as the lookback: enough to
        forecast from its end."""
        L, H = config.lookback, config.horizon
        if L < 1 or H < 1:
            raise ValueError(f"expected lookback >= 1 and horizon >= 1, got {L} and {H}")
        if not isinstance(frame.index, pd.DatetimeIndex):
            raise ValueError(
                f"expected a DataFrame indexed by time, got {type(frame.index).__name__}"
            )
        names = list(config.targets) + [c for c in config.inputs if c not in config.targets]
        check_columns(frame, names)
        N = len(frame)
        if N < L + H and (scaler is None or N < L):
            need = f"lookback + horizon = {L} + {H} = {L + H}" if scaler is None else \
                f"lookback = {L} to forecast from its end"
            raise ValueError(f"series too short for the window: {N} rows, need at least {need}")
        freq = frame.attrs.get("freq") or infer_step(frame.index)
        index = _extend(frame.index, H, freq)
        kinds = default_calendar(freq) if config.calendar is None else tuple(config.calendar)
        calendar = calendar_features(index, kinds)
        static = static_features(frame.attrs, config.static)  # (S,)
        known = np.concatenate(
            [calendar.to_numpy(dtype=np.float32), np.tile(static, (len(index), 1))], axis=1
        )  # (N + H, C): calendar, then static
        raw = np.full((N + H, len(names)), np.nan)
        raw[:N] = frame[names].to_numpy(dtype=float)
        a, b = split_rows(frame.index, split or SplitConfig(1.0, 1.0))
        if scaler is None:
            scaler = StandardScaler.fit(raw[:a], names)
        z = scaler.transform(raw, names).astype(np.float32)  # (N + H, F0)
        x = np.concatenate([z, known], axis=1)  # (N + H, F)
        K = len(config.targets)
        starts = _origins(
            np.isnan(z).any(axis=1), L, H, {"train": (0, a), "valid": (a, b), "test": (b, N)}
        )
        columns = names + list(calendar.columns) + [f"static_{n}" for n in config.static]
        return cls(index, raw[:, :K], x, z[:, :K], known, starts, config, scaler, columns, freq)

    # ---- gathering windows: origins (B,) -> arrays ----
    def _rows(self, starts: np.ndarray, lo: int, hi: int) -> np.ndarray:
        return np.asarray(starts)[:, None] + np.arange(lo, hi)[None, :]  # (B, hi - lo)

    def inputs(self, starts: np.ndarray) -> np.ndarray:
        """(B, L, F) scaled inputs before each origin."""
        return self.x[self._rows(starts, -self.config.lookback, 0)]

    def targets(self, starts: np.ndarray) -> np.ndarray:
        """(B, H, K) scaled targets from each origin."""
        return self.y[self._rows(starts, 0, self.config.horizon)]

    def known_future(self, starts: np.ndarray) -> np.ndarray:
        """(B, H, C) calendar features of the forecast steps."""
        return self.known[self._rows(starts, 0, self.config.horizon)]

    def actual(self, starts: np.ndarray) -> np.ndarray:
        """(B, H, K) targets in data units (NaN beyond the end of the series)."""
        return self.values[self._rows(starts, 0, self.config.horizon)]

    def history(self, starts: np.ndarray, steps: int | None = None) -> np.ndarray:
        """(B, steps, K) past targets in data units (default: the lookback)."""
        steps = steps or self.config.lookback
        return self.values[self._rows(starts, -steps, 0)]

    def to_units(self, scaled: np.ndarray) -> np.ndarray:
        """Scaled targets (..., K) back to data units."""
        return self.scaler.inverse(scaled, list(self.config.targets))

    def origins_between(self, lo: int, hi: int) -> np.ndarray:
        """Every complete origin t whose H target rows lie in rows [lo, hi) (observed ones)."""
        bad = np.isnan(self.x).any(axis=1)  # (N + H,): NaN beyond N, so targets are observed
        L, H = self.config.lookback, self.config.horizon
        return _origins(bad, L, H, {"period": (lo, min(hi, self.rows))})["period"]

    def missing_inputs(self, t: int) -> dict[str, list[int]]:
        """{column: rows} of the inputs of origin t that are missing (empty when complete)."""
        rows = np.arange(t - self.config.lookback, t)
        if rows[0] < 0 or t > self.rows:
            raise ValueError(f"origin row {t} needs rows {rows[0]} .. {t - 1}; the series has "
                             f"rows 0 .. {self.rows - 1}")
        gaps = np.isnan(self.x[rows])  # (L, F)
        return {self.columns[j]: rows[gaps[:, j]].tolist() for j in np.flatnonzero(gaps.any(0))}

    def latest_origin(self) -> int:
        """The origin just after the last row, for forecasting the unknown future."""
        t, L = self.rows, self.config.lookback
        if np.isnan(self.x[t - L : t]).any():
            raise ValueError(
                f"the last {L} rows (from {self.index[t - L]}) have missing values after "
                "gap filling; cannot forecast from them"
            )
        return t


def static_features(attrs: dict, names: tuple[str, ...]) -> np.ndarray:
    """(S,) the header fields ``names`` of a series, each divided by its ``STATIC_SCALE``."""
    values = []
    for name in names:
        value = attrs.get(name)
        if value is None or not np.isfinite(float(value)):
            raise ValueError(f"static input {name!r} needs station metadata in the data's header "
                             f"(INMET files carry lat, lon, altitude); this data has "
                             f"{value!r} for it")
        values.append(float(value) / STATIC_SCALE[name])
    return np.asarray(values, dtype=np.float32).reshape(len(names))


def check_columns(frame: pd.DataFrame, names: list[str]) -> None:
    """Unknown or all-missing columns are errors that list what is there."""
    numeric = [str(c) for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    unknown = [n for n in names if n not in frame.columns]
    if unknown:
        raise ValueError(f"unknown column(s) {unknown}; available: {numeric}")
    text = [n for n in names if n not in numeric]
    if text:
        raise ValueError(f"column(s) {text} are not numeric; choose among {numeric}")
    empty = [n for n in names if frame[n].isna().all()]
    if empty:
        raise ValueError(f"column(s) {empty} are entirely missing; choose among {numeric}")


def _extend(index: pd.DatetimeIndex, steps: int, freq: str | None) -> pd.DatetimeIndex:
    """The index followed by ``steps`` future timestamps (step ``freq``, else the last step)."""
    if freq is not None:
        future = pd.date_range(index[-1], periods=steps + 1, freq=freq)[1:]
    else:
        future = index[-1] + (index[-1] - index[-2]) * np.arange(1, steps + 1)
    return index.append(pd.DatetimeIndex(future, tz=index.tz))


def _origins(bad: np.ndarray, L: int, H: int, ranges: dict[str, tuple[int, int]]):
    """Origins t whose rows [t − L, t + H) hold no NaN and whose targets lie in the split."""
    bad_count = np.concatenate([[0], np.cumsum(bad)])  # bad_count[i] = NaN rows before i
    starts = {}
    for name, (lo, hi) in ranges.items():
        t = np.arange(max(lo, L), hi - H + 1)
        clean = bad_count[t + H] - bad_count[t - L] == 0 if len(t) else np.zeros(0, bool)
        starts[name] = t[clean]
    return starts
