"""Multi-process data parallel training (torchrun + DistributedDataParallel).

``torchrun --nproc_per_node=N ...`` starts N processes and sets ``RANK``,
``WORLD_SIZE``, ``LOCAL_RANK`` and the rendezvous address; the trainer then
joins the process group (``nccl`` on GPU, ``gloo`` on CPU), gives each rank
its GPU, and wraps the task's model in DistributedDataParallel, which
averages gradients across ranks during ``backward``. Each rank reads its own
shard of the data (see ``Task.set_shard`` in docs/training.md); rank 0 alone
writes the run directory.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel


@dataclass(frozen=True)
class DistInfo:
    rank: int = 0  # this process among all processes
    world_size: int = 1  # number of processes
    local_rank: int = 0  # this process among those on its machine (its GPU index)

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def enabled(self) -> bool:
        return self.world_size > 1


def init_distributed(use_cuda: bool) -> DistInfo:
    """Join the process group if launched by torchrun with WORLD_SIZE > 1."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size <= 1:
        return DistInfo()
    rank = int(os.environ["RANK"])
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if not dist.is_initialized():
        backend = "nccl" if use_cuda else "gloo"
        if use_cuda:
            torch.cuda.set_device(local_rank)
        dist.init_process_group(backend=backend)
    return DistInfo(rank=rank, world_size=world_size, local_rank=local_rank)


class TransparentDDP(DistributedDataParallel):
    """DDP wrapper that forwards unknown attributes to the wrapped model.

    The trainer puts it in place of ``task.model`` while training, so a task's
    ``self.model(x, state)`` goes through DDP (gradients are averaged during
    backward, overlapping communication with computation) while
    ``self.model.some_helper()`` still reaches the model's own methods.

    A task that never calls ``self.model(...)`` (only ``self.model.encoder(...)``,
    say) bypasses DDP's forward, and DDP then silently skips the averaging; the
    trainer sees ``forward_calls == 0`` and averages the gradients itself.
    """

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        self.forward_calls = getattr(self, "forward_calls", 0) + 1
        return super().forward(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self.module, name)


def wrap_ddp(model: nn.Module, info: DistInfo, device: torch.device) -> nn.Module:
    device_ids = [device.index] if device.type == "cuda" else None
    return TransparentDDP(model, device_ids=device_ids)


def average_gradients(model: nn.Module, info: DistInfo) -> None:
    """g ← (1/W) Σ_ranks g, in one all-reduce over the flattened gradients (what DDP does)."""
    params = [p for p in model.parameters() if p.requires_grad]
    for p in params:
        if p.grad is None:  # every rank must send the same tensors
            p.grad = torch.zeros_like(p)
    flat = torch.cat([p.grad.reshape(-1) for p in params])
    dist.all_reduce(flat, op=dist.ReduceOp.SUM)
    flat /= info.world_size
    offset = 0
    for p in params:
        n = p.grad.numel()
        p.grad.copy_(flat[offset:offset + n].view_as(p.grad))
        offset += n


def all_reduce_sum(values: list[float], info: DistInfo, device: torch.device) -> list[float]:
    """Sum a few numbers over all ranks (identity when not distributed)."""
    if not info.enabled:
        return values
    t = torch.tensor(values, dtype=torch.float64, device=device)
    dist.all_reduce(t, op=dist.ReduceOp.SUM)
    return t.tolist()


def all_gather_objects(obj: Any, info: DistInfo) -> list[Any]:
    """Every rank's ``obj`` (JSON-able or CPU tensors), in rank order."""
    if not info.enabled:
        return [obj]
    out: list[Any] = [None] * info.world_size
    dist.all_gather_object(out, obj)
    return out


def barrier(info: DistInfo) -> None:
    if info.enabled:
        dist.barrier()


class ShardedBatches(Sequence):
    """Rank r's share of a batch list: batches r, r + W, r + 2W, ... (equal counts per rank).

    The default sharding for tasks without ``set_shard``: fine for independent
    batches (classification, forecasting windows), wrong for a carried stream.
    """

    def __init__(self, batches: Sequence[Any], rank: int, world_size: int) -> None:
        self.batches, self.rank, self.world_size = batches, rank, world_size

    def __len__(self) -> int:
        return len(self.batches) // self.world_size

    def __getitem__(self, i: int) -> Any:
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self.batches[self.rank + i * self.world_size]
