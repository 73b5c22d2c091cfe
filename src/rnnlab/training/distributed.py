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
    ``self.model(x, state)`` goes through DDP (gradients get averaged) while
    ``self.model.some_helper()`` still reaches the model's own methods.
    """

    def __getattr__(self, name: str) -> Any:
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self.module, name)


def wrap_ddp(model: nn.Module, info: DistInfo, device: torch.device) -> nn.Module:
    device_ids = [device.index] if device.type == "cuda" else None
    return TransparentDDP(model, device_ids=device_ids)


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
