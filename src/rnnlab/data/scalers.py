"""Per-column standardisation fitted on training rows only, saved as JSON.

    z = (x − μ) / σ,    x = z · σ + μ

μ and σ come from the training split alone (NaNs ignored), so nothing about
the validation or test period leaks into the inputs. A constant column gets
σ = 1 instead of a division by zero. The JSON form lets ``forecast predict``
rebuild the exact transform from the run directory.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class StandardScaler:
    columns: tuple[str, ...]  # column names, in the order of the last axis
    mean: tuple[float, ...]  # μ per column
    std: tuple[float, ...]  # σ per column

    @classmethod
    def fit(cls, values: np.ndarray, columns: list[str] | tuple[str, ...]) -> StandardScaler:
        """μ, σ of each column of ``values`` (N, F), ignoring NaN."""
        values = np.asarray(values, dtype=float)
        if values.ndim != 2 or values.shape[1] != len(columns):
            raise ValueError(f"expected values of shape (N, {len(columns)}), got {values.shape}")
        finite = np.isfinite(values).sum(axis=0)
        empty = [c for c, n in zip(columns, finite, strict=True) if n == 0]
        if empty:
            raise ValueError(f"cannot fit a scaler: column(s) {empty} have no values in training")
        mu = np.nanmean(values, axis=0)
        sigma = np.nanstd(values, axis=0)
        sigma = np.where(sigma > 1e-12, sigma, 1.0)
        return cls(tuple(columns), tuple(map(float, mu)), tuple(map(float, sigma)))

    def stats(self, columns: list[str] | None) -> tuple[np.ndarray, np.ndarray]:
        if columns is None:
            return np.asarray(self.mean), np.asarray(self.std)
        missing = [c for c in columns if c not in self.columns]
        if missing:
            raise ValueError(f"scaler has no column(s) {missing}; it knows {list(self.columns)}")
        pos = [self.columns.index(c) for c in columns]
        return np.asarray(self.mean)[pos], np.asarray(self.std)[pos]

    def transform(self, values: np.ndarray, columns: list[str] | None = None) -> np.ndarray:
        """z = (x − μ) / σ over the last axis (all columns, or the named ones)."""
        mu, sigma = self.stats(columns)
        return (np.asarray(values, dtype=float) - mu) / sigma

    def inverse(self, values: np.ndarray, columns: list[str] | None = None) -> np.ndarray:
        """x = z · σ + μ over the last axis."""
        mu, sigma = self.stats(columns)
        return np.asarray(values, dtype=float) * sigma + mu

    def inverse_scale(self, values: np.ndarray, columns: list[str] | None = None) -> np.ndarray:
        """Spreads (standard deviations, interval widths) back to data units: s · σ."""
        _, sigma = self.stats(columns)
        return np.asarray(values, dtype=float) * sigma

    def to_dict(self) -> dict:
        return {
            "kind": "standard",
            "columns": list(self.columns),
            "mean": list(self.mean),
            "std": list(self.std),
        }

    @classmethod
    def from_dict(cls, data: dict) -> StandardScaler:
        if data.get("kind") != "standard":
            raise ValueError(f"expected a standard scaler, got kind {data.get('kind')!r}")
        n = len(data["columns"])
        if len(data["mean"]) != n or len(data["std"]) != n:
            raise ValueError("corrupt scaler: columns, mean and std differ in length")
        return cls(tuple(data["columns"]), tuple(data["mean"]), tuple(data["std"]))

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> StandardScaler:
        try:
            return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise FileNotFoundError(f"scaler file not found: {path}") from None
        except (json.JSONDecodeError, KeyError, TypeError) as err:
            raise ValueError(f"corrupt scaler file {path}: {err}") from None
