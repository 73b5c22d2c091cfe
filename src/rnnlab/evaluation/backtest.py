"""Rolling-origin backtesting: score forecasters fold by fold through the test period.

The test origins are cut into ``folds`` consecutive blocks in time. For fold
j with first origin t_j, each forecaster is called as ``f(starts_j, t_j)``: a
fixed model ignores t_j, a refitting one (the linear AR) may refit on every
window whose targets end before t_j — the expanding-window scheme of
Tashman (2000). Either way no forecast uses data at or after its own origin.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rnnlab.data.windows import SeriesWindows
from rnnlab.evaluation.forecasting import score

# (starts (B,), fold origin) -> (B, H, K), or None when it cannot forecast this fold
Forecaster = Callable[[np.ndarray, int], "np.ndarray | None"]


def rolling_origin(
    w: SeriesWindows,
    forecasters: dict[str, Forecaster],
    starts: np.ndarray,
    folds: int = 4,
    scale: np.ndarray | None = None,
) -> list[dict[str, object]]:
    """One row per (fold, forecaster): the fold's time span and its MAE, RMSE (, MASE)."""
    if folds < 1 or len(starts) < folds:
        raise ValueError(f"expected 1 <= folds <= {len(starts)} origins, got {folds}")
    rows = []
    for j, block in enumerate(np.array_split(np.asarray(starts), folds)):
        actual = w.actual(block)
        for name, forecast in forecasters.items():
            pred = forecast(block, int(block[0]))
            if pred is None:  # e.g. a refitted AR with no window before this fold
                continue
            s = score(pred, actual, scale)
            rows.append(
                {
                    "fold": j + 1,
                    "from": str(w.index[block[0]]),
                    "to": str(w.index[block[-1]]),
                    "model": name,
                    **s.overall,
                }
            )
    return rows


def refitting(
    fit: Callable[[np.ndarray], Callable[[np.ndarray], np.ndarray]],
    w: SeriesWindows,
    pool: np.ndarray,
) -> Forecaster:
    """A forecaster that, for a fold starting at t, refits on the windows of ``pool``
    whose targets end before t (``fit(train_starts) -> predict``); None for a fold with no
    such window."""
    H = w.config.horizon

    def forecast(starts: np.ndarray, origin: int) -> np.ndarray | None:
        train = pool[pool + H <= origin]
        return fit(train)(starts) if len(train) else None

    return forecast
