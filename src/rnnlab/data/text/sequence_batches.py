"""Batches of whole sequences (sentences, names): indices grouped by length, and padding.

Sequence-to-sequence and conditional-generation tasks train on sentences of
different lengths. Padding costs time, so examples of similar length are
batched together ("bucketing"): the training examples are shuffled (seeded by
(seed, epoch), so a resumed run sees the same batches), cut into pools of
``pool`` batches, sorted by length inside a pool, cut into batches, and the
batch order is shuffled again. Evaluation batches are sorted by length only.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import Tensor

IGNORE_INDEX = -100  # target padding: F.cross_entropy(..., ignore_index=IGNORE_INDEX) skips it


def length_batches(
    lengths: Sequence[int],
    batch_size: int,
    *,
    shuffle: bool,
    seed: int = 0,
    epoch: int = 0,
    pool: int = 50,
) -> list[np.ndarray]:
    """Example indices per batch: bucketed and shuffled by (seed, epoch), or sorted by length."""
    if batch_size < 1:
        raise ValueError(f"expected batch_size >= 1, got {batch_size}")
    lengths = np.asarray(lengths)
    if not shuffle:
        order = np.argsort(lengths, kind="stable")
        return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    rng = np.random.default_rng([seed, epoch])
    order = rng.permutation(len(lengths))
    batches: list[np.ndarray] = []
    step = batch_size * pool
    for start in range(0, len(order), step):
        chunk = order[start:start + step]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]  # similar lengths together
        batches.extend(chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size))
    return [batches[i] for i in rng.permutation(len(batches))]


def split_batches(lengths: Sequence[int], split: str, *, batch_size: int, eval_batch_size: int,
                  seed: int, epoch: int) -> list[np.ndarray]:
    """A split's batches: bucketed and shuffled for "train", sorted by length otherwise."""
    train = split == "train"
    return length_batches(lengths, batch_size if train else eval_batch_size, shuffle=train,
                          seed=seed, epoch=epoch)


def pad_sequences(sequences: Sequence[Sequence[int]], pad: int) -> tuple[Tensor, Tensor]:
    """Token id lists -> (ids (T, B) padded with ``pad``, lengths (B,)); T = the longest."""
    if not sequences or min(len(s) for s in sequences) < 1:
        raise ValueError("expected a non-empty batch of non-empty sequences")
    lengths = torch.tensor([len(s) for s in sequences])
    out = torch.full((int(lengths.max()), len(sequences)), pad, dtype=torch.long)  # (T, B)
    for b, seq in enumerate(sequences):
        out[: len(seq), b] = torch.as_tensor(seq, dtype=torch.long)
    return out, lengths


def teacher_forcing_pair(targets: Sequence[Sequence[int]], bos: int,
                         eos: int) -> tuple[Tensor, Tensor]:
    """Decoder inputs ``<bos> y_1 … y_n`` and outputs ``y_1 … y_n <eos>``, each (T, B).

    Input padding is ``eos`` (never read: the loss ignores those steps); output
    padding is :data:`IGNORE_INDEX`.
    """
    inputs, _ = pad_sequences([[bos, *t] for t in targets], eos)
    outputs, _ = pad_sequences([[*t, eos] for t in targets], IGNORE_INDEX)
    return inputs, outputs
