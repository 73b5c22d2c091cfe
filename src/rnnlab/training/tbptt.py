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

Random chunk lengths (Merity et al. 2018, AWD-LSTM) vary k1 = k2 around its
mean so that every token is, over epochs, seen at every position of a chunk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor

from rnnlab.training.state import detach_state

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


def tbptt_windows(T: int, k1: int, k2: int | None = None) -> list[Window]:
    """The update windows of TBPTT(k1, k2) over a sequence of T steps (last one may be short)."""
    k2 = k1 if k2 is None else k2
    if k1 <= 0 or k2 < k1:
        raise ValueError(f"TBPTT needs 0 < k1 <= k2, got k1={k1}, k2={k2}")
    if T <= 0:
        raise ValueError(f"expected a sequence of T > 0 steps, got T={T}")
    ends = list(range(k1, T + 1, k1))
    if not ends or ends[-1] != T:
        ends.append(T)
    windows = []
    for i, end in enumerate(ends):
        next_end = ends[i + 1] if i + 1 < len(ends) else end
        windows.append(Window(start=max(0, end - k2), loss_from=ends[i - 1] if i else 0,
                              end=end, next_anchor=max(0, next_end - k2)))
    return windows


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


def random_chunk_lengths(total: int, bptt: int, seed: int, p_full: float = 0.95,
                         sigma: float = 5.0, min_len: int = 5) -> list[int]:
    """AWD-LSTM chunk lengths covering ``total`` steps, deterministic given ``seed``.

    Each chunk: mean m = bptt with probability ``p_full``, else bptt / 2; length
    = max(min_len, ⌊N(m, σ²)⌋); the last chunk takes the remainder. Seed it with
    the epoch so that ``Task.batches(split, epoch)`` stays deterministic. With
    SGD, AWD-LSTM also scales the learning rate by length / bptt (a task can
    scale its loss by the same factor).
    """
    if bptt <= 0 or total <= 0 or min_len <= 0:
        raise ValueError(f"expected total, bptt and min_len > 0, got {total}, {bptt}, {min_len}")
    rng = np.random.default_rng(seed)
    lengths = []
    covered = 0
    while covered < total:
        mean = bptt if rng.random() < p_full else bptt / 2
        n = max(min_len, int(rng.normal(mean, sigma)))
        n = min(n, total - covered)
        lengths.append(n)
        covered += n
    return lengths


def chunk_bounds(lengths: list[int]) -> list[tuple[int, int]]:
    """[(start, end)] of consecutive chunks with these lengths."""
    bounds, start = [], 0
    for n in lengths:
        bounds.append((start, start + n))
        start += n
    return bounds
