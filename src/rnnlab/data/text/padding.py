"""Batches of variable-length sequences: padding to (T, B) and length-bucketed index batches.

Symbols: B sequences in a batch, T the longest of them. Sequences of ids are
padded on the right to a (T, B) tensor, time-major as every rnnlab layer, with
their lengths (B,); the layers and the models mask everything past a length,
so the pad id's value never matters (tests check padded == unpadded).

:class:`LengthBatches` groups items of similar length (less padding, less
wasted compute) and is deterministic given (seed, epoch), as the trainer's
``batches(split, epoch)`` contract requires for an exact resume.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import Tensor


def pad_ids(sequences: Sequence[Sequence[int]], pad_id: int = 0) -> tuple[Tensor, Tensor]:
    """ids of B sequences -> (padded (T, B) int64, lengths (B,) int64); T = the longest."""
    if not sequences or any(len(s) == 0 for s in sequences):
        raise ValueError("expected a non-empty list of non-empty sequences")
    lengths = torch.tensor([len(s) for s in sequences], dtype=torch.long)
    padded = torch.full((int(lengths.max()), len(sequences)), pad_id, dtype=torch.long)
    for b, seq in enumerate(sequences):
        padded[: len(seq), b] = torch.as_tensor(seq, dtype=torch.long)  # (len_b,)
    return padded, lengths


def pad_chars(words: Sequence[Sequence[Sequence[int]]], pad_id: int = 0
              ) -> tuple[Tensor, Tensor]:
    """Character ids of the words of B sentences -> (chars (T, B, W), char lengths (T, B)):
    W the longest word, T the longest sentence; padding holds ``pad_id`` and length 0."""
    longest_word = max((len(w) for sentence in words for w in sentence), default=1)
    steps = max(len(s) for s in words)
    out = torch.full((steps, len(words), max(1, longest_word)), pad_id, dtype=torch.long)
    lengths = torch.zeros(steps, len(words), dtype=torch.long)
    for b, sentence in enumerate(words):
        for t, word in enumerate(sentence):
            out[t, b, : len(word)] = torch.as_tensor(word, dtype=torch.long)
            lengths[t, b] = len(word)
    return out, lengths


class LengthBatches(Sequence[list[int]]):
    """Index batches of ``batch_size`` items of similar length, in a shuffled order.

    Training (``shuffle=True``): the items are shuffled with ``seed·100003 + epoch``,
    cut into pools of 50 batches, each pool sorted by length and cut into batches,
    and the batches shuffled again — random order, little padding. Evaluation: sorted
    by length, no randomness. Every item appears in exactly one batch.
    """

    POOL = 50  # batches per sorting pool

    def __init__(self, lengths: Sequence[int], batch_size: int, *, shuffle: bool,
                 seed: int = 0, epoch: int = 0) -> None:
        if batch_size < 1:
            raise ValueError(f"expected batch_size >= 1, got {batch_size}")
        lengths = np.asarray(lengths)
        if shuffle:
            rng = np.random.default_rng(seed * 100003 + epoch)
            order = rng.permutation(len(lengths))
            pool = batch_size * self.POOL
            order = np.concatenate([chunk[np.argsort(lengths[chunk], kind="stable")]
                                    for chunk in np.array_split(order, max(1, -(-len(order)
                                                                                // pool)))]
                                   ) if len(order) else order
        else:
            order = np.argsort(lengths, kind="stable")
        self._batches = [order[i:i + batch_size].tolist()
                         for i in range(0, len(order), batch_size)]
        if shuffle:
            rng.shuffle(self._batches)

    def __len__(self) -> int:
        return len(self._batches)

    def __getitem__(self, index: int) -> list[int]:  # type: ignore[override]
        return self._batches[index]
