"""Truncated backpropagation through time, as named functions.

Full BPTT over a sequence of length T backpropagates every loss L_t to step 1:
memory grows with T and the gradient mixes ever longer products of Jacobians
∂h_t/∂h_{t-1} (which vanish or explode). Truncated BPTT bounds both.

TBPTT(k1, k2) (Williams & Peng 1990, "BPTT(h; h')"; Sutskever 2013, §2.8):
run the network forward k1 steps at a time; after each k1 steps, ending at
time t, backpropagate the losses of those k1 steps through the last k2 ≥ k1
steps only, i.e. with the state h_{t−k2} treated as a constant:

    g_t = Σ_{s = t−k1+1}^{t} ∂L_s/∂θ |  h_{t−k2} held fixed

k1 = k2 is the common form (cut the stream into chunks, carry the detached
state from one chunk into the next); k2 > k1 lets the losses of each chunk
see k2 − k1 more steps of history. Here the overlap is recomputed from a
stored anchor state h_{t−k2} with the current weights (keeping the old graph
is impossible once an in-place optimizer step has changed the weights).

The same windows drive both forms: ``tbptt`` on one long sequence at
time-step granularity, and ``ChunkWindow``, the trainer's TBPTT(k1, m·k1) across
a task's chunks (one chunk = one unit of time, so k1 = 1 and k2 = m chunks).
Random chunk lengths (AWD-LSTM) are the data layer's business:
``rnnlab.data.text.streams.random_chunk_lengths``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor

from rnnlab.cells.state import detach_state
from rnnlab.training.task import StepResult

# run a chunk: (x[a:b] (n, B, ·), state) -> (outputs (n, B, ·), state)
StepFn = Callable[[Tensor, Any], tuple[Tensor, Any]]
# loss of a chunk's outputs against its targets: (outputs, targets) -> scalar mean
LossFn = Callable[[Tensor, Tensor], Tensor]


@dataclass(frozen=True)
class Window:
    """One TBPTT(k1, k2) update: forward [start, end), losses on [loss_from, end),
    and the next window's anchor is the state at ``next_anchor``."""

    start: int  # t − k2 (clamped at 0): the state here is held fixed (detached)
    loss_from: int  # t − k1: first step whose loss counts in this update
    end: int  # t: the update happens after this many steps
    next_anchor: int  # the next window's start, inside [start, end]


def tbptt_window(i: int, T: int, k1: int, k2: int) -> Window:
    """Update number ``i`` (0-based) of TBPTT(k1, k2) over T steps: it ends at
    t = min((i+1)·k1, T) and backpropagates through [max(0, t − k2), t)."""
    end = min((i + 1) * k1, T)
    next_end = min(end + k1, T)  # the last window is its own successor
    return Window(start=max(0, end - k2), loss_from=i * k1, end=end,
                  next_anchor=max(0, next_end - k2))


def tbptt_windows(T: int, k1: int, k2: int | None = None) -> list[Window]:
    """The update windows of TBPTT(k1, k2) over a sequence of T steps (last one may be short)."""
    k2 = k1 if k2 is None else k2
    if k1 <= 0 or k2 < k1:
        raise ValueError(f"TBPTT needs 0 < k1 <= k2, got k1={k1}, k2={k2}")
    if T <= 0:
        raise ValueError(f"expected a sequence of T > 0 steps, got T={T}")
    return [tbptt_window(i, T, k1, k2) for i in range(-(-T // k1))]  # ⌈T / k1⌉ updates


def tbptt(step: StepFn, x: Tensor, y: Tensor, loss_fn: LossFn, k1: int, k2: int | None = None,
          state: Any = None, update: Callable[[], None] | None = None) -> tuple[list[float], Any]:
    """Train on one long sequence by TBPTT(k1, k2); returns (loss per update, final state).

    ``x`` is (T, B, ·) and ``y`` its targets (T, B, ·). After each window's
    ``loss.backward()`` the gradients are in ``.grad`` and ``update()`` is
    called (e.g. clip, ``optimizer.step()``, ``zero_grad()``).
    """
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"expected targets with T={x.shape[0]} steps, got {tuple(y.shape)}")
    anchor = detach_state(state)  # h_{t−k2}, held fixed
    losses = []
    for w in tbptt_windows(x.shape[0], k1, k2):
        outputs = []
        h = anchor
        if w.next_anchor > w.start:  # the part of the window the next one starts after
            out, h = step(x[w.start:w.next_anchor], h)
            outputs.append(out)
        next_anchor = h
        if w.end > w.next_anchor:
            out, h = step(x[w.next_anchor:w.end], h)
            outputs.append(out)
        out = torch.cat(outputs)  # (end − start, B, ·)
        loss = loss_fn(out[w.loss_from - w.start:], y[w.loss_from:w.end])  # last k1 steps
        loss.backward()  # reaches back to h_{start} and stops: the anchor is detached
        losses.append(float(loss.detach()))
        if update is not None:
            update()
        anchor = detach_state(next_anchor)  # keep the values, cut the graph at the new start
        state = h
    return losses, detach_state(state)


class ChunkWindow:
    """TBPTT(k1, m·k1) across a task's chunks, as the trainer runs it; m = 1 is plain TBPTT.

    The task cuts a stream into chunks of k1 steps; chunk i is update i of
    ``tbptt_window(i, n, 1, m)`` counted in chunks from ``origin`` (where the
    stream last started from a zero state). Each step replays the window's
    earlier chunks from the detached ``anchor`` (the state h_{t−k2} at the window's
    start, graph kept from there), runs chunk i, and hands back the state at the
    next window's start; after the update that becomes the new anchor.
    """

    def __init__(self, m: int) -> None:
        if m < 1:
            raise ValueError(f"expected a window of m >= 1 chunks, got {m}")
        self.m = m
        self.origin = 0  # the chunk the stream (re)started at, from a zero state
        self.anchor: Any = None  # detached state at the start of the window (h_{t−k2})

    def reset(self, origin: int = 0) -> None:
        """The stream starts again from a zero state at chunk ``origin`` (a new epoch, a
        skipped step)."""
        self.origin, self.anchor = origin, None

    def forward(self, step: Callable[[Any, Any], StepResult], batches: Sequence[Any],
                index: int, state: Any) -> tuple[StepResult, Any]:
        """Run chunk ``index`` (after replaying the window); returns (result, next anchor).

        ``state`` is the carried state, used only when m = 1.
        """
        if self.m == 1:
            return step(batches[index], state), None
        w = tbptt_window(index - self.origin, len(batches) - self.origin, 1, self.m)
        h, next_anchor = self.anchor, self.anchor  # h: the state at chunk boundary j
        for j in range(w.start, w.end):  # the window's earlier chunks, then chunk `index`
            if j == w.next_anchor:
                next_anchor = h
            result = step(batches[self.origin + j], h)
            h = result.state  # graph kept: the loss of chunk `index` reaches back to the anchor
        if w.next_anchor == w.end:
            next_anchor = h
        return result, next_anchor

    def advance(self, next_anchor: Any) -> None:
        """After the update: slide the window's start to the next anchor."""
        if self.m > 1:
            self.anchor = detach_state(next_anchor)  # keep the values, cut the graph here
