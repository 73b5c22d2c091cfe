"""What the trainer reads from a task: its batches per split and epoch, checked and sharded.

Batches must be an indexable sequence (a resumed run starts at batch i of its
epoch). Under DDP a task with ``set_shard(rank, world_size)`` shards itself;
otherwise rank r gets batches r, r + W, r + 2W, ... (``ShardedBatches``),
which is refused for a carried stream. Every rank must get the same number of
training batches (the ranks step in lockstep).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rnnlab.training.distributed import DistInfo, ShardedBatches, all_gather_objects
from rnnlab.training.task import Task


class TaskBatches:
    """The batches of ``task`` for this process (its shard under DDP)."""

    def __init__(self, task: Task, dist: DistInfo, carry_state: bool) -> None:
        self.task, self.dist = task, dist
        self.self_sharded = hasattr(task, "set_shard")
        if dist.enabled:
            if self.self_sharded:
                task.set_shard(dist.rank, dist.world_size)
            elif carry_state:
                raise ValueError("DDP with train.carry_state needs task.set_shard(rank, "
                                 "world_size): each rank must read its own part of the stream")

    def get(self, split: str, epoch: int) -> Sequence[Any]:
        batches = self.task.batches(split, epoch)
        if not (hasattr(batches, "__len__") and hasattr(batches, "__getitem__")):
            raise TypeError(f"task.batches({split!r}, {epoch}) must return an indexable "
                            f"sequence (so a resumed run can start at batch i), got "
                            f"{type(batches).__name__}")
        if self.dist.enabled and not self.self_sharded:
            return ShardedBatches(batches, self.dist.rank, self.dist.world_size)
        return batches

    def train(self, epoch: int) -> Sequence[Any]:
        batches = self.get("train", epoch)
        if self.dist.enabled:
            counts = all_gather_objects(len(batches), self.dist)
            if len(set(counts)) != 1:
                raise ValueError("every rank needs the same number of training batches per "
                                 f"epoch (DDP steps in lockstep); got {counts} for epoch {epoch}")
        return batches


def window_chunks(bptt_k2: int | None, task: Task) -> int:
    """m = k2 / k1, the chunks of the TBPTT(k1, k2) window (1 without ``train.bptt_k2``)."""
    if bptt_k2 is None:
        return 1
    k1 = getattr(task, "chunk_length", None)
    if not isinstance(k1, int) or k1 <= 0:
        raise ValueError("train.bptt_k2 needs the task to announce its chunk length k1 as "
                         f"an int attribute `chunk_length`, got {k1!r}")
    if bptt_k2 % k1 != 0:
        raise ValueError(f"train.bptt_k2 must be a multiple of the chunk length k1={k1}, "
                         f"got {bptt_k2}")
    return bptt_k2 // k1
