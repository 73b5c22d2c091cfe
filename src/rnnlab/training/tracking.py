"""The validation history of a run: best loss, patience, what NT-ASGD looks at."""

from __future__ import annotations

import math
from typing import Any


class ValidationTracker:
    """Remembers every validation loss and the best one; JSON state for checkpoints."""

    def __init__(self) -> None:
        self.best = math.inf  # lowest validation loss so far
        self.best_step: int | None = None  # step at which it was reached
        self.history: list[float] = []  # every validation loss, in order
        self.since_best = 0  # evaluations in a row without a new best
        self.last: dict[str, float] | None = None  # metrics of the newest evaluation

    def update(self, step: int, metrics: dict[str, float]) -> bool:
        """Record one evaluation; True if it is a new best (strictly lower loss).

        A NaN/inf loss counts as inf: never a best, one more evaluation without
        improvement (for patience, plateau and NT-ASGD)."""
        loss = metrics["loss"] if math.isfinite(metrics["loss"]) else math.inf
        self.last = metrics
        self.history.append(loss)
        if loss < self.best:
            self.best, self.best_step, self.since_best = loss, step, 0
            return True
        self.since_best += 1
        return False

    def patience_exhausted(self, patience: int | None) -> bool:
        """Early stopping: more than ``patience`` evaluations in a row did not improve."""
        return patience is not None and self.since_best > patience

    def state_dict(self) -> dict[str, Any]:
        return {"best": _finite_or_none(self.best),
                "best_step": self.best_step, "history": [_finite_or_none(v) for v in self.history],
                "since_best": self.since_best,
                "last": None if self.last is None else {k: _finite_or_none(v)
                                                        for k, v in self.last.items()}}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best = math.inf if state["best"] is None else state["best"]
        self.best_step = state["best_step"]
        self.history = [math.inf if v is None else v for v in state["history"]]
        self.since_best = int(state["since_best"])
        self.last = state["last"]


def _finite_or_none(value: float) -> float | None:  # JSON has no inf
    return value if math.isfinite(value) else None
