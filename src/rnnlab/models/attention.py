"""Attention: score every source position against a query, softmax over the valid ones, mix.

Symbols: S source steps, B batch, N queries per example (1 when decoding step
by step, T when all target steps are scored at once), D encoder output size
(D·H for a bidirectional encoder), Q query size (the decoder's H), A attention
size. h_s (S, B, D) are the encoder outputs ("annotations"), q the query.

    additive (Bahdanau et al. 2015; Luong "concat"):  e_s = vᵀ tanh(W_q q + W_k h_s)
    dot      (Luong et al. 2015):                     e_s = qᵀ h_s            (needs Q = D)
    general  (Luong et al. 2015):                     e_s = qᵀ W_a h_s
    α = softmax over the valid s of e                 padding gets α_s = 0 exactly
    c = Σ_s α_s h_s                                   the context vector (B, D)

The key side (W_k h_s, W_a h_s) does not depend on the query, so it is
computed once per source sentence (:meth:`Attention.memory`) and kept in a
:class:`Memory` whose tensors all have the batch on dimension 1, like a
recurrent state: beam search reorders it with ``select_rows``.

"Where the query comes from" (the decoder state before the step, Bahdanau; or
after it, Luong) is the decoder's business (:mod:`rnnlab.models.seq2seq`).
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor, nn

SCORES = ("additive", "dot", "general")


class Memory(NamedTuple):
    """What attention reads: the encoder outputs, their projected keys, and the valid steps."""

    values: Tensor  # h_s (S, B, D)
    keys: Tensor  # W_k h_s (S, B, A), W_a h_s (S, B, Q) or h_s itself (dot)
    mask: Tensor  # (S, B) bool, True on the real source steps, False on padding


def padding_mask(lengths: Tensor, steps: int) -> Tensor:
    """(S, B) bool: True where s < length of example b."""
    return torch.arange(steps, device=lengths.device)[:, None] < lengths.to(lengths.device)[None]


def masked_softmax(scores: Tensor, mask: Tensor) -> Tensor:
    """softmax over the last dim (S) of ``scores`` (…, S) where ``mask`` (…, S) is True;
    masked positions get exactly 0 (every row must have a valid position)."""
    return scores.masked_fill(~mask, float("-inf")).softmax(dim=-1)


class Attention(nn.Module):
    """One scoring function (``score``: "additive", "dot" or "general") over a Memory.

    Args:
        score: how e_s is computed (see the module docstring).
        query_size: Q.   key_size: D.   attention_size: A (additive only).

    ``memory(values, lengths)`` prepares a source once; ``forward(query, memory)``
    takes query (N, B, Q) and returns context (N, B, D) and α (N, B, S).
    """

    def __init__(self, score: str, query_size: int, key_size: int,
                 attention_size: int | None = None) -> None:
        super().__init__()
        if score not in SCORES:
            raise ValueError(f"expected an attention score in {SCORES}, got {score!r}")
        if score == "dot" and query_size != key_size:
            raise ValueError(f"dot attention needs the query and key sizes equal, got "
                             f"{query_size} and {key_size} (a bidirectional encoder doubles the "
                             "key size): use the 'general' score")
        self.score = score
        if score == "additive":
            size = attention_size or query_size
            self.query_proj = nn.Linear(query_size, size, bias=False)  # W_q
            self.key_proj = nn.Linear(key_size, size)  # W_k (its bias is the b of tanh(·+b))
            self.v = nn.Linear(size, 1, bias=False)  # vᵀ
        elif score == "general":
            self.key_proj = nn.Linear(key_size, query_size, bias=False)  # W_a

    def memory(self, values: Tensor, lengths: Tensor) -> Memory:
        """Prepare the encoder outputs h_s (S, B, D) of sources of ``lengths`` (B,)."""
        keys = values if self.score == "dot" else self.key_proj(values)  # (S, B, ·)
        return Memory(values, keys, padding_mask(lengths, values.size(0)))

    def scores(self, query: Tensor, memory: Memory) -> Tensor:
        """e (N, B, S) for query (N, B, Q)."""
        if self.score == "additive":
            q = self.query_proj(query)  # (N, B, A)
            e = self.v(torch.tanh(q[:, :, None] + memory.keys.transpose(0, 1)[None]))
            return e.squeeze(-1)  # (N, B, S)
        return torch.einsum("nbq,sbq->nbs", query, memory.keys)  # qᵀ h_s or qᵀ W_a h_s

    def forward(self, query: Tensor, memory: Memory) -> tuple[Tensor, Tensor]:
        """query (N, B, Q) -> context c (N, B, D), weights α (N, B, S)."""
        alpha = masked_softmax(self.scores(query, memory), memory.mask.t()[None])  # (N, B, S)
        context = torch.einsum("nbs,sbd->nbd", alpha, memory.values)  # Σ_s α_s h_s
        return context, alpha

    def extra_repr(self) -> str:
        return f"score={self.score!r}"
