"""The validation history of a run: the best evaluation, patience, what NT-ASGD looks at.

The best is judged by one validation metric, ``train.monitor`` ("loss" by
default; a task's "accuracy" or "f1" picks the checkpoint a user reads the
score of), lower or higher being better by ``train.monitor_mode`` (Keras'
``ModelCheckpoint(monitor, mode)``). NT-ASGD always reads the loss history.
"""

from __future__ import annotations

import math
from typing import Any

# metrics where higher is better ("auto" mode); anything else is minimised
_HIGHER_IS_BETTER = ("accuracy", "acc", "f1", "macro_f1", "precision", "recall", "bleu", "chrf")


def higher_is_better(monitor: str, mode: str = "auto") -> bool:
    if mode != "auto":
        return mode == "max"
    name = monitor.lower()
    return any(name == m or name.endswith(("_" + m, "-" + m)) for m in _HIGHER_IS_BETTER)


class ValidationTracker:
    """Remembers every validation loss and the best evaluation; JSON state for checkpoints."""

    def __init__(self, monitor: str = "loss", mode: str = "auto") -> None:
        self.monitor = monitor
        self.sign = -1.0 if higher_is_better(monitor, mode) else 1.0  # best = lowest sign·value
        self.best = math.inf  # lowest sign·(monitored value) so far
        self.best_step: int | None = None  # step at which it was reached
        self.best_metrics: dict[str, float] | None = None  # the whole evaluation of the best
        self.history: list[float] = []  # every validation loss, in order
        self.since_best = 0  # evaluations in a row without a new best
        self.last: dict[str, float] | None = None  # metrics of the newest evaluation

    def update(self, step: int, metrics: dict[str, float]) -> bool:
        """Record one evaluation; True if it is a new best (strictly better monitored value).

        A NaN/inf loss (or monitored value) counts as the worst: never a best, one
        more evaluation without improvement (for patience, plateau and NT-ASGD)."""
        if self.monitor not in metrics:
            raise ValueError(f"train.monitor = {self.monitor!r}: this task's validation reports "
                             f"{sorted(metrics)}")
        loss = metrics["loss"] if math.isfinite(metrics["loss"]) else math.inf
        value = metrics[self.monitor]
        signed = self.sign * value if math.isfinite(value) and math.isfinite(loss) else math.inf
        self.last = metrics
        self.history.append(loss)
        if signed < self.best:
            self.best, self.best_step, self.since_best = signed, step, 0
            self.best_metrics = dict(metrics)
            return True
        self.since_best += 1
        return False

    @property
    def best_value(self) -> float | None:
        """The monitored metric's best value (None before a finite one)."""
        return None if self.best_step is None else self.sign * self.best

    def patience_exhausted(self, patience: int | None) -> bool:
        """Early stopping: more than ``patience`` evaluations in a row did not improve."""
        return patience is not None and self.since_best > patience

    def state_dict(self) -> dict[str, Any]:
        return {"best": _finite_or_none(self.best), "monitor": self.monitor,
                "best_metrics": None if self.best_metrics is None else {
                    k: _finite_or_none(v) for k, v in self.best_metrics.items()},
                "best_step": self.best_step, "history": [_finite_or_none(v) for v in self.history],
                "since_best": self.since_best,
                "last": None if self.last is None else {k: _finite_or_none(v)
                                                        for k, v in self.last.items()}}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best = math.inf if state["best"] is None else state["best"]
        self.best_step = state["best_step"]
        self.best_metrics = state.get("best_metrics")
        if state.get("monitor", "loss") != self.monitor:
            raise ValueError(f"train.monitor: the checkpoint's best was chosen by "
                             f"{state.get('monitor', 'loss')!r}, not {self.monitor!r}")
        self.history = [math.inf if v is None else v for v in state["history"]]
        self.since_best = int(state["since_best"])
        self.last = state["last"]


def _finite_or_none(value: float) -> float | None:  # JSON has no inf
    return value if math.isfinite(value) else None
