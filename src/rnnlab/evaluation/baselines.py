"""The baselines every forecast is reported next to, on the very same windows.

With origin t, horizon step h = 1..H, seasonal period m and lookback L:

    persistence      ŷ_{t+h−1} = y_{t−1}                       (last value)
    seasonal naive   ŷ_{t+h−1} = y_{t+h−1−m⌈h/m⌉}               (same hour yesterday for m = 24)
    linear AR        ŷ = W [x_{t−L}, …, x_{t−1}, 1]             (least squares on the window)

The linear AR reads exactly the window the network reads (every input column
and calendar feature, scaled) and predicts all H·K outputs at once, fitted by
ridge-regularised least squares on the training windows:
W = (XᵀX + λI)⁻¹ XᵀY. It is the strongest of the three and the one to beat.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from safetensors import SafetensorError, safe_open
from safetensors.numpy import save_file

from rnnlab.data.windows import SeriesWindows


def persistence(w: SeriesWindows, starts: np.ndarray) -> np.ndarray:
    """(B, H, K) forecasts: the last observed value, repeated."""
    last = w.history(starts, 1)  # (B, 1, K)
    return np.repeat(last, w.config.horizon, axis=1)


def seasonal_naive(w: SeriesWindows, starts: np.ndarray, period: int) -> np.ndarray:
    """(B, H, K) forecasts: the value one (or more) seasons back from each target step."""
    L, H = w.config.lookback, w.config.horizon
    if not 1 <= period <= L:
        raise ValueError(f"expected a seasonal period in [1, lookback={L}], got {period}")
    h = np.arange(H)  # 0-based step
    back = period * (h // period + 1)  # m⌈(h+1)/m⌉: the latest same-phase value before t
    rows = np.asarray(starts)[:, None] + (h - back)[None, :]  # (B, H), all < t
    return w.values[rows]


class LinearAR:
    """Direct multi-horizon linear autoregression on the flattened input window."""

    def __init__(self, ridge: float = 1.0, steps: int | None = None) -> None:
        if ridge < 0 or (steps is not None and steps < 1):
            raise ValueError(f"expected ridge >= 0 and steps >= 1, got {ridge} and {steps}")
        self.ridge = ridge  # λ, on standardised inputs
        self.steps = steps  # S: read the last S rows of the window (None: all L)
        self.weights: np.ndarray | None = None  # (S·F + 1, H·K)

    def _design(self, w: SeriesWindows, starts: np.ndarray) -> np.ndarray:
        x = w.inputs(starts)  # (B, L, F)
        if self.steps is not None:
            if self.steps > x.shape[1]:
                raise ValueError(f"expected steps <= lookback {x.shape[1]}, got {self.steps}")
            x = x[:, -self.steps :]
        x = x.reshape(len(starts), -1).astype(np.float64)  # (B, S·F)
        return np.concatenate([x, np.ones((len(starts), 1))], axis=1)  # (B, S·F + 1)

    def fit(self, w: SeriesWindows, starts: np.ndarray, chunk: int = 4096) -> LinearAR:
        """Least squares on the windows at ``starts`` (accumulated in chunks to bound memory)."""
        if len(starts) == 0:
            raise ValueError("expected training windows for the linear AR, got none")
        d = self._design(w, starts[:1]).shape[1]
        xtx = np.zeros((d, d))
        xty = None
        for i in range(0, len(starts), chunk):
            s = starts[i : i + chunk]
            X = self._design(w, s)
            Y = w.targets(s).reshape(len(s), -1).astype(np.float64)  # (B, H·K)
            xtx += X.T @ X
            xty = X.T @ Y if xty is None else xty + X.T @ Y
        reg = self.ridge * np.eye(d)
        reg[-1, -1] = 0.0  # no penalty on the intercept
        self.weights = np.linalg.solve(xtx + reg, xty)
        return self

    def save(self, path: str | Path) -> None:
        """W as safetensors (``weight``, float64) with λ and S in its JSON metadata."""
        if self.weights is None:
            raise ValueError("LinearAR.save called before fit")
        info = {"ridge": self.ridge, "steps": self.steps}
        save_file({"weight": self.weights}, str(path), metadata={"linear_ar": json.dumps(info)})

    @classmethod
    def load(cls, path: str | Path) -> LinearAR:
        """A fitted AR saved by :meth:`save` (no code runs while loading)."""
        try:
            with safe_open(str(path), "np") as f:
                weights, info = f.get_tensor("weight"), json.loads(f.metadata()["linear_ar"])
        except FileNotFoundError:
            raise FileNotFoundError(f"linear AR file not found: {path}") from None
        except (SafetensorError, KeyError, ValueError, TypeError) as err:
            raise ValueError(f"corrupt linear AR file {path}: {err}") from None
        ar = cls(float(info["ridge"]), info["steps"])
        ar.weights = weights
        return ar

    def predict(self, w: SeriesWindows, starts: np.ndarray) -> np.ndarray:
        """(B, H, K) forecasts in data units."""
        if self.weights is None:
            raise ValueError("LinearAR.predict called before fit")
        H, K = w.config.horizon, len(w.config.targets)
        X = self._design(w, starts)
        if X.shape[1] != self.weights.shape[0]:
            raise ValueError(f"this linear AR reads {self.weights.shape[0] - 1} inputs per "
                             f"window, the windows give {X.shape[1] - 1}")
        scaled = (X @ self.weights).reshape(len(starts), H, K)
        return w.to_units(scaled)


def seasonal_period(freq: str | None) -> int:
    """The natural season of a step: a day of hours (24), a week of days (7), a year of months."""
    table = {"h": 24, "D": 7, "MS": 12, "ME": 12, "M": 12, "W": 52, "QS": 4, "QE": 4}
    if freq is None:
        raise ValueError("cannot choose a seasonal period for an irregular series; give one")
    key = freq.lstrip("0123456789") or freq
    if key.upper() == "H":
        return 24
    if freq in ("24h", "1D"):
        return 7
    if key not in table:
        raise ValueError(f"no default seasonal period for frequency {freq!r}; give one")
    return table[key]
