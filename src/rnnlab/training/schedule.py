"""Learning-rate schedules: constant, divide-on-plateau, linear warmup + cosine.

* ``plateau`` — the classic recipe of word-level language models (Zaremba et
  al. 2014; pytorch/examples): when the validation loss does not improve,
  η ← η / plateau_factor (4 by default).
* ``warmup_cosine`` — η_s = η·s/W for the first W steps, then
  η_s = η_min + (η − η_min)·(1 + cos(π·p))/2 with p = (s − W)/(S − W).

The schedule writes the rate into ``optimizer.param_groups`` (saved with the
optimizer), and keeps its own small state as JSON for checkpoints.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from torch.optim import Optimizer

from rnnlab.training.config import TrainConfig

log = logging.getLogger(__name__)


class Schedule:
    """Sets the learning rate before each step and after each evaluation."""

    def __init__(self, config: TrainConfig, optimizer: Optimizer, total_steps: int) -> None:
        self.config = config
        self.optimizer = optimizer
        self.total_steps = max(1, total_steps)  # S
        self.bad_evals = 0  # plateau: evaluations since the last improvement or division

    @property
    def lr(self) -> float:
        return float(self.optimizer.param_groups[0]["lr"])

    def _set(self, lr: float) -> None:
        for group in self.optimizer.param_groups:
            group["lr"] = lr

    def lr_at(self, step: int) -> float:
        """warmup_cosine: the rate for optimizer step number ``step`` (1-based)."""
        c = self.config
        if c.warmup_steps and step <= c.warmup_steps:
            return c.lr * step / c.warmup_steps  # η·s/W
        span = max(1, self.total_steps - c.warmup_steps)
        p = min(1.0, (step - c.warmup_steps) / span)
        return c.min_lr + (c.lr - c.min_lr) * 0.5 * (1.0 + math.cos(math.pi * p))

    def before_step(self, step: int) -> None:
        """Called before optimizer step number ``step`` (1-based)."""
        if self.config.schedule == "warmup_cosine":
            self._set(self.lr_at(step))

    def after_eval(self, improved: bool) -> None:
        """Called after each validation; ``improved``: a new best validation loss."""
        if self.config.schedule != "plateau":
            return
        self.bad_evals = 0 if improved else self.bad_evals + 1
        if self.bad_evals > self.config.plateau_patience:
            new = self.lr / self.config.plateau_factor  # η ← η / 4, the classic LM recipe
            log.info("validation loss did not improve: learning rate %.4g -> %.4g", self.lr, new)
            self._set(new)
            self.bad_evals = 0

    def state_dict(self) -> dict[str, Any]:
        """The schedule's own state (the rate itself is saved with the optimizer). The
        total S is not saved: it follows the config, so a run resumed with more epochs
        stretches its cosine."""
        return {"bad_evals": self.bad_evals}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.bad_evals = int(state["bad_evals"])
