"""Learning-rate schedules: constant, divide-on-plateau, linear warmup + cosine.

* ``constant`` — η_s = η.
* ``plateau`` — the classic recipe of word-level language models (Zaremba et
  al. 2014; pytorch/examples): each time the validation loss stops improving,
  divide by ``plateau_factor`` (4 by default): η_s = η / factor^d after d divisions.
* ``warmup_cosine`` — η_s = η·s/W for the first W steps, then
  η_s = η_min + (η − η_min)·(1 + cos(π·p))/2 with p = (s − W)/(S − W).

The rate is always *computed* from the config, the step and the schedule's
small state (``ScheduleState``: the number of divisions), never carried over
from an optimizer: a run resumed with a new ``train.lr`` uses it at once, and
what ``config.toml`` says is what runs.
"""

from __future__ import annotations

import logging
import math
from dataclasses import asdict, dataclass
from typing import Any

from torch.optim import Optimizer

from rnnlab.training.config import TrainConfig

log = logging.getLogger(__name__)


@dataclass
class ScheduleState:
    """What a checkpoint keeps of the schedule (the rate itself follows from the config)."""

    bad_evals: int = 0  # plateau: evaluations since the last improvement or division
    divisions: int = 0  # plateau: how many times the rate was divided so far

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScheduleState:
        return cls(bad_evals=int(data["bad_evals"]), divisions=int(data.get("divisions", 0)))


class Schedule:
    """Sets the learning rate before each step and after each evaluation."""

    def __init__(self, config: TrainConfig, optimizer: Optimizer, total_steps: int,
                 state: ScheduleState) -> None:
        self.config = config
        self.optimizer = optimizer
        self.total_steps = max(1, total_steps)  # S: follows the config (more epochs: longer)
        self.state = state

    @property
    def lr(self) -> float:
        """The scheduled rate η_s (a group with ``lr_scale`` s runs at s·η_s)."""
        group = self.optimizer.param_groups[0]
        return float(group["lr"]) / group.get("lr_scale", 1.0)

    def _set(self, lr: float) -> None:
        for group in self.optimizer.param_groups:
            group["lr"] = lr * group.get("lr_scale", 1.0)  # discriminative rates keep their ratio

    def lr_at(self, step: int) -> float:
        """The rate for optimizer step number ``step`` (1-based)."""
        c = self.config
        if c.schedule == "plateau":
            return c.lr / c.plateau_factor ** self.state.divisions  # η / factor^d
        if c.schedule == "constant":
            return c.lr
        if c.warmup_steps and step <= c.warmup_steps:
            return c.lr * step / c.warmup_steps  # η·s/W
        span = max(1, self.total_steps - c.warmup_steps)
        p = min(1.0, (step - c.warmup_steps) / span)
        return c.min_lr + (c.lr - c.min_lr) * 0.5 * (1.0 + math.cos(math.pi * p))

    def before_step(self, step: int) -> None:
        """Called before optimizer step number ``step`` (1-based)."""
        self._set(self.lr_at(step))

    def after_eval(self, improved: bool) -> None:
        """Called after each validation; ``improved``: a new best validation loss."""
        c, s = self.config, self.state
        if c.schedule != "plateau":
            return
        s.bad_evals = 0 if improved else s.bad_evals + 1
        if s.bad_evals > c.plateau_patience:
            s.divisions, s.bad_evals = s.divisions + 1, 0
            log.info("validation loss did not improve: learning rate %.4g -> %.4g", self.lr,
                     self.lr_at(0))  # η ← η / 4, the classic LM recipe
            self._set(self.lr_at(0))
