"""The contract between the trainer and a task.

The trainer knows nothing about which model it trains (DESIGN.md): a language
model, a forecaster or a classifier is a ``Task`` that hands out batches and
turns one batch into a loss. The trainer does the rest: the loop, truncated
BPTT (carrying and detaching the recurrent state between batches), clipping,
optimisers, checkpoints, logs and resume.

Two optional members, looked up with ``hasattr`` (not part of the Protocol, so
tasks without them still satisfy it; see docs/training.md):

* ``chunk_length: int`` — k1, the time steps per training batch of a stream
  task; needed only for ``train.bptt_k2`` (TBPTT(k1, k2) across batches).
* ``set_shard(rank: int, world_size: int) -> None`` — called once before
  multi-process (DDP) training; afterwards ``batches`` returns only this rank's
  shard (e.g. columns [r·B/W, (r+1)·B/W) of a stream). Without it the trainer
  gives rank r the batches r, r+W, r+2W, ... (refused with ``carry_state``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from torch import Tensor, nn


@dataclass
class StepResult:
    """What a task returns for one batch."""

    loss: Tensor  # scalar, mean over the items of the batch, graph attached in training
    state: Any = None  # recurrent state to carry into the next batch; None for stateless tasks
    items: int = 1  # tokens, windows or sentences in the batch (throughput, weighted means)
    metrics: dict[str, float] = field(default_factory=dict)  # extra per-batch numbers to log


@runtime_checkable
class Task(Protocol):
    """What the trainer needs from a task."""

    model: nn.Module

    def batches(self, split: str, epoch: int) -> Sequence[Any]:
        """The batches of ``split`` ("train", "valid", "test") for ``epoch``.

        Must be deterministic given (split, epoch) and indexable, so that a run
        resumed at batch i of epoch e sees exactly the batches an uninterrupted
        run would. Shuffling, if any, is seeded by the epoch.
        """
        ...

    def step(self, batch: Any, state: Any) -> StepResult:
        """Forward one batch from ``state`` (None at the start of an epoch) and return its loss."""
        ...

    def eval_metrics(self, mean_loss: float) -> dict[str, float]:
        """Task metrics derived from the item-weighted mean loss (e.g. perplexity = exp(loss))."""
        ...


def check_step_result(result: Any) -> Tensor:
    """The loss of what ``task.step`` returned, after checking the contract; clear errors."""
    if not isinstance(result, StepResult):
        raise TypeError(f"task.step must return a StepResult, got {type(result).__name__}")
    loss = result.loss
    if isinstance(result.items, bool) or not isinstance(result.items, int) or result.items <= 0:
        raise ValueError(f"StepResult.items: expected a positive int, got {result.items!r}")
    if not isinstance(loss, Tensor) or loss.dim() != 0:
        shape = tuple(loss.shape) if isinstance(loss, Tensor) else type(loss).__name__
        raise ValueError(f"StepResult.loss: expected a scalar tensor, got {shape}")
    return loss
