"""Truncated BPTT for the NumPy language model: stream batching, chunks, the training loop.

A long token stream is cut into B parallel streams (columns) and walked in
chunks of k steps. Within a chunk the gradient is exact BPTT; across chunk
edges the *state* is carried (the values of h_T, c_T become the next s_0) but
the *gradient* is not: ∂J/∂s_0 returned by ``backward`` is dropped. That is the
whole of truncated BPTT (Williams & Peng 1990; Sutskever 2013, §3.1) — it keeps
memory O(k) while the forward pass still sees the entire history.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from rnnlab.reference.language_model import LanguageModel
from rnnlab.reference.optim import clip_grad_norm, clip_grad_value, global_norm, make_optimizer

log = logging.getLogger(__name__)


def batchify(ids: np.ndarray, batch_size: int) -> np.ndarray:
    """A 1-D stream of N ids -> (N // B, B): column b is the b-th contiguous slice of the stream."""
    ids = np.asarray(ids)
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"expected a 1-D integer token stream, got {ids.dtype} {ids.shape}")
    n = len(ids) // batch_size
    if n < 2:
        raise ValueError(
            f"expected at least {2 * batch_size} tokens for batch_size {batch_size}, got {len(ids)}"
        )
    return ids[: n * batch_size].reshape(batch_size, n).T.copy()  # (N/B, B)


def chunks(data: np.ndarray, bptt: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(inputs (k, B), targets (k, B)) windows of ``data`` (N, B), targets shifted by one step."""
    if bptt < 1:
        raise ValueError(f"expected bptt >= 1, got {bptt}")
    for start in range(0, len(data) - 1, bptt):
        k = min(bptt, len(data) - 1 - start)
        yield data[start : start + k], data[start + 1 : start + 1 + k]


@dataclass(frozen=True)
class ReferenceTrainConfig:
    batch_size: int = 8  # B parallel streams
    bptt: int = 25  # k, truncation length (Karpathy's min-char-rnn uses 25)
    epochs: int = 1  # passes over the stream
    max_steps: int | None = None  # stop early after this many updates
    optimizer: str = "adam"  # sgd | adagrad | adam
    lr: float = 1e-2
    clip_norm: float | None = 5.0  # θ for clipping by global norm; None = off
    clip_value: float | None = None  # θ for element-wise clipping; None = off


def train_language_model(
    model: LanguageModel, ids: np.ndarray, config: ReferenceTrainConfig
) -> list[dict[str, float]]:
    """Train ``model`` on a token stream with truncated BPTT; return one record per update.

    Each record holds the step, the chunk loss J and the gradient norm before clipping.
    """
    data = batchify(ids, config.batch_size)  # (N/B, B)
    optimizer = make_optimizer(config.optimizer, model.params, config.lr)
    history: list[dict[str, float]] = []
    step = 0
    for epoch in range(config.epochs):
        state = None  # each epoch starts from s_0 = 0
        for inputs, targets in chunks(data, config.bptt):
            J, state, cache = model.forward(inputs, targets, state)  # state carried forward
            grads, _ = model.backward(cache)  # ∂J/∂s_0 dropped: truncate at the chunk edge
            norm = global_norm(grads)  # logged before clipping
            if config.clip_norm is not None:
                clip_grad_norm(grads, config.clip_norm)
            if config.clip_value is not None:
                clip_grad_value(grads, config.clip_value)
            optimizer.step(grads)
            step += 1
            history.append({"step": step, "epoch": epoch, "loss": J, "grad_norm": norm})
            if step % 50 == 0:
                log.info("step %d  loss %.4f  |g| %.3f", step, J, norm)
            if config.max_steps is not None and step >= config.max_steps:
                return history
    return history
