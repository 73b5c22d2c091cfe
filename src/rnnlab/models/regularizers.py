"""Regularisers for recurrent language models (Merity et al. 2018, "AWD-LSTM").

Symbols: T time, B batch, H features, V vocabulary, E embedding size, p the
drop probability. Every dropout here is *inverted*: kept values are scaled by
1/(1-p), so nothing changes at evaluation time.

- :class:`LockedDropout` (variational dropout, Gal & Ghahramani 2016): one
  mask m ∈ {0, 1/(1-p)}^{B×H} per sequence, the same at every time step:
  y_t = m ⊙ x_t.
- :func:`embedding_dropout`: drop whole word types, m ∈ {0, 1/(1-p)}^V, the
  embedding of word w is m_w · W_e[w] at every position of the batch.
- Weight drop (DropConnect on W_hh, Wan et al. 2013): one mask on the recurrent
  matrix per forward pass, W̃_hh = M ⊙ W_hh / (1-p), shared by all steps and all
  sequences, is an option of the layer itself: ``Recurrent(cell, …, weight_drop=p)``
  (:meth:`rnnlab.layers.Recurrent.forward_weights`, the tensors both the explicit
  loop and the fused kernel run on; no library is patched).
- AR and TAR: α·mean(h̃_t²) on the dropped last-layer output and
  β·mean((h_t − h_{t−1})²) on the undropped one.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn


def _check_p(name: str, p: float) -> float:
    if not 0.0 <= p < 1.0:
        raise ValueError(f"expected {name} in [0, 1), got {p}")
    return float(p)


class LockedDropout(nn.Module):
    """Dropout with one mask per sequence, shared over time: x (T, B, H) -> m ⊙ x."""

    def __init__(self, p: float) -> None:
        super().__init__()
        self.p = _check_p("p", p)

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.p == 0.0:
            return x
        keep = 1.0 - self.p
        mask = x.new_empty(1, x.size(1), x.size(2)).bernoulli_(keep) / keep  # (1, B, H)
        return x * mask  # the same m at every t

    def extra_repr(self) -> str:
        return f"p={self.p}"


def embedding_dropout(weight: Tensor, tokens: Tensor, p: float, training: bool) -> Tensor:
    """Embed ``tokens`` (T, B) with whole rows of W_e (V, E) dropped: -> (T, B, E)."""
    if training and p > 0.0:
        keep = 1.0 - _check_p("p", p)
        mask = weight.new_empty(weight.size(0), 1).bernoulli_(keep) / keep  # (V, 1)
        weight = weight * mask
    return F.embedding(tokens, weight)


def activation_regularization(h_dropped: Tensor, alpha: float) -> Tensor:
    """AR = α · mean(h̃_t²) over (T, B, H): keeps the outputs small."""
    return alpha * h_dropped.pow(2).mean()


def temporal_activation_regularization(h: Tensor, beta: float) -> Tensor:
    """TAR = β · mean((h_t − h_{t−1})²) over (T−1, B, H): keeps the outputs slow."""
    if h.size(0) < 2:
        return h.new_zeros(())
    return beta * (h[1:] - h[:-1]).pow(2).mean()


__all__ = [
    "LockedDropout",
    "activation_regularization",
    "embedding_dropout",
    "temporal_activation_regularization",
]
