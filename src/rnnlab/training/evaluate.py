"""Evaluation: the item-weighted mean loss of a task over one split, without gradients."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from rnnlab.cells.state import detach_state
from rnnlab.training.config import TrainConfig
from rnnlab.training.distributed import DistInfo, all_reduce_sum
from rnnlab.training.precision import autocast
from rnnlab.training.task import Task, check_step_result


def loss_sums(task: Task, model: nn.Module, batches: Sequence[Any], *, carry_state: bool,
              precision: str, device: torch.device) -> tuple[float, int]:
    """(Σ_b loss_b · n_b, Σ_b n_b) over ``batches``, in eval mode and without gradients.

    ``model`` is the bare model (``task.model`` may be a DDP wrapper: no collectives
    here); its training mode is restored afterwards. With ``carry_state`` the state
    flows from batch to batch as in training.
    """
    wrapped, task.model = task.model, model
    was_training = model.training
    model.eval()
    total, items, state = 0.0, 0, None
    try:
        with torch.no_grad():
            for batch in batches:
                with autocast(precision, device):
                    result = task.step(batch, state)
                loss = check_step_result(result)
                total += float(loss) * result.items  # Σ_b loss_b · n_b
                items += result.items
                state = detach_state(result.state) if carry_state else None
    finally:
        model.train(was_training)
        task.model = wrapped
    return total, items


def evaluate_split(task: Task, model: nn.Module, batches: Sequence[Any], split: str, *,
                   config: TrainConfig, device: torch.device, dist: DistInfo
                   ) -> dict[str, float]:
    """``{"loss": item-weighted mean loss, **task.eval_metrics(loss)}`` over ``batches``;
    under DDP each rank gives its shard and the sums are combined."""
    sums = loss_sums(task, model, batches, carry_state=config.carry_state,
                     precision=config.precision, device=device)
    total, items = all_reduce_sum([sums[0], float(sums[1])], dist, device)
    if items == 0:
        raise ValueError(f"task.batches({split!r}, 0) gave no items to evaluate")
    mean = total / items  # item-weighted mean loss
    return {"loss": mean, **task.eval_metrics(mean)}
