"""Has the data moved away from what the model was trained on? A check per input column.

For each input column j, over the rows a set of forecasts reads, with μ_j, σ_j
the training scaler's mean and standard deviation:

    shift_j = (mean_j − μ_j) / σ_j        the new mean, in training standard deviations
    ratio_j = std_j / σ_j                 the new spread against the training spread

A column drifts when |shift_j| > threshold (3 by default): beyond what a season
moves a weather variable, and what a station at another altitude does to
pressure (~ +7 σ for 170 m lower). The check only reports; whether a model
still holds is what the evaluation measures.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

import numpy as np

from rnnlab.data.scalers import StandardScaler

log = logging.getLogger(__name__)
DRIFT_SIGMA = 3.0  # |mean shift| in training σ beyond which a column is flagged


@dataclass(frozen=True)
class ColumnDrift:
    column: str
    mean: float  # over the checked rows, data units
    train_mean: float  # μ of the training scaler
    train_std: float  # σ of the training scaler
    shift: float  # (mean − μ) / σ
    ratio: float  # std / σ (NaN for fewer than two values)
    rows: int  # finite values checked
    flagged: bool

    def message(self, unit: str = "") -> str:
        u = f" {unit}" if unit else ""
        return (f"input {self.column!r} has drifted: mean {self.mean:.4g}{u} on this data vs "
                f"{self.train_mean:.4g}{u} in training ({self.shift:+.1f} σ of the training "
                f"scaler, σ = {self.train_std:.3g}{u}; spread ×{self.ratio:.2f})")


def check_drift(
    values: np.ndarray, columns: list[str], scaler: StandardScaler,
    threshold: float = DRIFT_SIGMA,
) -> list[ColumnDrift]:
    """One ColumnDrift per column of ``values`` (N, J) in data units (NaN rows skipped)."""
    values = np.asarray(values, dtype=float)
    if values.ndim != 2 or values.shape[1] != len(columns):
        raise ValueError(f"expected values of shape (N, {len(columns)}), got {values.shape}")
    mu, sigma = scaler.stats(list(columns))
    out = []
    for j, name in enumerate(columns):
        v = values[:, j][np.isfinite(values[:, j])]
        if len(v) == 0:
            continue
        shift = float((v.mean() - mu[j]) / sigma[j])
        ratio = float(v.std() / sigma[j]) if len(v) > 1 else float("nan")
        out.append(ColumnDrift(name, float(v.mean()), float(mu[j]), float(sigma[j]), shift,
                               ratio, len(v), bool(abs(shift) > threshold)))
    return out


def warn_drift(drift: list[ColumnDrift], units: dict[str, str] | None = None) -> list[str]:
    """Log one warning per flagged column; returns the messages."""
    messages = [d.message((units or {}).get(d.column, "")) for d in drift if d.flagged]
    for text in messages:
        log.warning(text)
    return messages


def drift_records(drift: list[ColumnDrift]) -> list[dict]:
    return [asdict(d) for d in drift]
