"""Callbacks: user code the trainer calls at fixed points, each hook optional.

* ``on_step_end(trainer, step, result) -> dict | None`` after each optimizer
  step; the numbers of the returned dict go into that step's metrics.jsonl record
  (e.g. ``diagnostics.GateSaturationCallback``).
* ``on_eval_end(trainer, metrics)`` after each validation.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rnnlab.training.metrics import numbers
from rnnlab.training.task import StepResult


class Callbacks:
    """The trainer's callbacks, called in the order given."""

    def __init__(self, callbacks: Iterable[Any]) -> None:
        self.items = list(callbacks)

    def step_end(self, trainer: Any, step: int, result: StepResult) -> dict[str, Any]:
        """The numbers the callbacks add to the step's record."""
        extra: dict[str, Any] = {}
        for callback in self.items:
            hook = getattr(callback, "on_step_end", None)
            returned = hook(trainer, step, result) if hook else None
            if returned:
                extra.update(numbers(returned))
        return extra

    def eval_end(self, trainer: Any, metrics: dict[str, float]) -> None:
        for callback in self.items:
            hook = getattr(callback, "on_eval_end", None)
            if hook:
                hook(trainer, metrics)
