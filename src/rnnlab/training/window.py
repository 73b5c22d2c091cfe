"""TBPTT(k1, k2 = m·k1) across a task's chunks, as the trainer runs it.

The task cuts a stream into chunks of k1 steps. To let chunk i's loss reach k2
steps back, the trainer keeps a *window*: the indices of the previous m − 1
chunks and the detached state at the window's start (the anchor h_{t−k2}).
Each step replays those chunks from the anchor (graph kept), runs chunk i,
backpropagates chunk i's loss through all m chunks, then slides the window by
one chunk: the new anchor is the state after the window's first chunk.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rnnlab.training.state import detach_state
from rnnlab.training.task import StepResult


class ChunkWindow:
    """The replay window of TBPTT(k1, m·k1); m = 1 is plain TBPTT (nothing replayed)."""

    def __init__(self, m: int) -> None:
        if m < 1:
            raise ValueError(f"expected a window of m >= 1 chunks, got {m}")
        self.m = m
        self.indices: list[int] = []  # the previous (up to m − 1) chunks, oldest first
        self.anchor: Any = None  # detached state at the start of the window (h_{t−k2})

    def reset(self) -> None:
        """A new epoch (or a skipped step): the stream starts again from a zero state."""
        self.indices, self.anchor = [], None

    def forward(self, step: Callable[[Any, Any], StepResult], batches: Sequence[Any],
                index: int, state: Any) -> tuple[StepResult, Any]:
        """Run chunk ``index`` (after replaying the window); returns (result, next anchor).

        ``state`` is the carried state, used only when m = 1.
        """
        if self.m == 1:
            return step(batches[index], state), None
        h, next_anchor = self.anchor, None
        for j, previous in enumerate(self.indices):  # replay the previous chunks, graph kept
            h = step(batches[previous], h).state
            if j == 0:
                next_anchor = h  # the state after the window's first chunk
        result = step(batches[index], h)
        if not self.indices:
            next_anchor = result.state
        return result, next_anchor

    def advance(self, index: int, next_anchor: Any) -> None:
        """After the update: add chunk ``index``; once the window holds m chunks, slide it."""
        if self.m == 1:
            return
        self.indices.append(index)
        if len(self.indices) == self.m:
            self.indices.pop(0)
            self.anchor = detach_state(next_anchor)  # keep the values, cut the graph here
