"""One optimizer step, as the trainer takes it::

    result = task.step(batch, state)          # forward (through the TBPTT(k1, k2) window)
    loss.backward()                           # BPTT back to the window's first step
    ‖g‖ = global L2 norm; clip; optimizer step    # ‖g‖ is logged before clipping

plus what makes it safe: the task's result is checked, a NaN/inf loss or
gradient norm is caught before the weights are touched, under DDP the ranks
agree on the loss, the item count and a stop request in one all-reduce, and
gradients are averaged by hand when a task bypassed DDP's forward.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn
from torch.optim import Optimizer

from rnnlab.training.clipping import clip_gradients, parameter_grad_norms
from rnnlab.training.config import TrainConfig
from rnnlab.training.distributed import DistInfo, all_reduce_sum, average_gradients
from rnnlab.training.nonfinite import NonFiniteLossError
from rnnlab.training.precision import autocast
from rnnlab.training.task import StepResult, Task, check_step_result
from rnnlab.training.training_state import TrainingState

log = logging.getLogger("rnnlab.training")

__all__ = ["NonFiniteLossError", "StepOutcome", "Stepper"]


@dataclass
class StepOutcome:
    """What one step did; ``nonfinite`` names what was NaN/inf (then nothing was updated)."""

    result: StepResult
    next_anchor: Any  # the TBPTT window's next start state
    loss: float  # item-weighted mean over all ranks
    items: int  # over all ranks
    stop: bool  # a rank was asked to stop (DDP: all ranks stop at the same step)
    seconds: float = 0.0
    grad_norm: float = math.nan  # before clipping
    parameter_norms: dict[str, float] = field(default_factory=dict)  # every log_every steps
    nonfinite: tuple[str, float] | None = None  # ("loss" | "grad_norm", value)


class Stepper:
    """Takes optimizer steps of ``task`` on ``model`` (the bare model, never the DDP wrapper)."""

    def __init__(self, task: Task, model: nn.Module, optimizer: Optimizer, scaler: Any,
                 config: TrainConfig, dist: DistInfo, device: torch.device) -> None:
        self.task, self.model, self.optimizer, self.scaler = task, model, optimizer, scaler
        self.config, self.dist, self.device = config, dist, device
        self._bypass_warned = False

    def run(self, batches: Sequence[Any], state: TrainingState, stop_requested: bool,
            parameter_norms: bool) -> StepOutcome:
        """Step on batch ``state.batch_index``; ``state`` itself is left to the caller."""
        c = self.config
        t0 = time.perf_counter()
        self.model.train()
        self.optimizer.zero_grad(set_to_none=True)
        if self.dist.enabled:
            self.task.model.forward_calls = 0  # did the task go through DDP's forward?
        with autocast(c.precision, self.device):
            result, next_anchor = state.window.forward(self.task.step, batches,
                                                       state.batch_index, state.carried)
        loss = check_step_result(result)
        value = float(loss.detach())
        bad, stop, weighted, items = all_reduce_sum(
            [float(not math.isfinite(value)), float(stop_requested), value * result.items,
             float(result.items)], self.dist, self.device)  # one collective for all four
        out = StepOutcome(result, next_anchor, loss=weighted / max(items, 1e-12),
                          items=int(items), stop=bool(stop))
        if bad:
            out.nonfinite = ("loss", value)
            return out
        if not loss.requires_grad:
            raise ValueError("StepResult.loss has no autograd graph: in training the loss must "
                             "be computed from the model's parameters (not detached, not under "
                             "torch.no_grad)")
        (self.scaler.scale(loss) if self.scaler else loss).backward()
        if self.dist.enabled and self.task.model.forward_calls == 0:
            self._warn_bypass()
            average_gradients(self.model, self.dist)  # DDP's hooks were bypassed
        if self.scaler is not None:
            self.scaler.unscale_(self.optimizer)
        if parameter_norms:
            out.parameter_norms = parameter_grad_norms(self.model)
        out.grad_norm = clip_gradients(self.model.parameters(), c.clip_value, c.clip_norm)
        if not math.isfinite(out.grad_norm) and self.scaler is None:
            out.nonfinite = ("grad_norm", out.grad_norm)
            self.optimizer.zero_grad(set_to_none=True)
            return out
        if self.scaler is not None:
            self.scaler.step(self.optimizer)  # skips the update itself if a grad is inf/nan
            self.scaler.update()
        else:
            self.optimizer.step()
        out.seconds = time.perf_counter() - t0
        return out

    def _warn_bypass(self) -> None:
        if not self._bypass_warned:
            self._bypass_warned = True
            log.warning("task.step never called self.model(...), so DDP could not average the "
                        "gradients during backward; the trainer averages them after backward "
                        "instead (correct, but without overlapping communication)")
