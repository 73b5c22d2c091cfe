"""A window MLP: dense layers over the last k inputs (the ``"mlp"`` encoder).

Bengio, Ducharme, Vincent & Jauvin (2003)'s neural language model reads the
previous n − 1 word vectors, concatenated, through a tanh hidden layer; for a
series the same thing is the courses' "dense network" on the last k steps.
Symbols: T steps, B batch, I input size, k window (``window``), H hidden size,
L layers::

    w_t = [x_{t−k+1}; …; x_{t−1}; x_t]          (B, k·I), zeros before the first step
    h^(1)_t = tanh(W_1 w_t + b_1)                (B, H)
    h^(l)_t = tanh(W_l Drop(h^(l−1)_t) + b_l)    l = 2 … L

No weight is shared across time and nothing is remembered beyond k steps: the
network is what a recurrent one improves on (a fixed context, k·I·H weights in
its first layer). Causal by default; its state is the last k − 1 inputs, so a
stream read in chunks with the state carried gives exactly the outputs of one
pass over the whole stream. ``bidirectional = true`` centres the window on t
(Collobert & Weston 2008's tagger: k odd, (k − 1)/2 steps on each side).
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnnlab.models.masks import padding_mask, zero_padding


class WindowMLPEncoder(nn.Module):
    """The ``"mlp"`` encoder: x (T, B, I) -> (outputs (T, B, H), last k − 1 inputs)."""

    def __init__(self, config: Any, input_size: int) -> None:
        super().__init__()
        self.window = config.window  # k
        self.causal = not config.bidirectional
        H = config.hidden_size
        sizes = [self.window * input_size] + [H] * config.num_layers
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in pairwise(sizes))
        self.drop = nn.Dropout(config.dropout)
        self.output_size = H

    def forward(self, x: Tensor, lengths: Tensor | None = None,
                state: Tensor | None = None) -> tuple[Tensor, Tensor | None]:
        """x (T, B, I), lengths (B,), state (k − 1, B, I) or None -> ((T, B, H), state)."""
        if x.dim() != 3:
            raise ValueError(f"expected x of shape (T, B, I), got {tuple(x.shape)}")
        T, B, I = x.shape
        k = self.window
        if state is not None and (lengths is not None or not self.causal):
            raise ValueError("a carried mlp state continues one unpadded stream: it needs "
                             "bidirectional = false and no lengths")
        pad = padding_mask(lengths, T, B, x.device)  # (B, T)
        if pad is not None:
            x = x.masked_fill(pad.T[:, :, None], 0.0)  # padded steps read as zeros
        if self.causal:
            past = x.new_zeros(k - 1, B, I) if state is None else state
            if past.shape != (k - 1, B, I):
                raise ValueError(f"expected an mlp state of shape {(k - 1, B, I)}, "
                                 f"got {tuple(past.shape)}")
            xp = torch.cat([past, x])  # (k − 1 + T, B, I)
        else:
            xp = F.pad(x, (0, 0, 0, 0, (k - 1) // 2, (k - 1) // 2))  # (T + k − 1, B, I)
        w = xp.unfold(0, k, 1)  # (T, B, I, k): w[t, :, :, j] = xp[t + j]
        h = w.permute(0, 1, 3, 2).reshape(T, B, k * I)  # [x_{t−k+1}; …; x_t], oldest first
        for index, layer in enumerate(self.layers):
            if index:
                h = self.drop(h)
            h = torch.tanh(layer(h))  # h^(l) = tanh(W_l h^(l−1) + b_l)
        new_state = xp[xp.shape[0] - (k - 1):] if self.causal else None  # (k − 1, B, I)
        return zero_padding(h, pad), new_state


def check_mlp(config: Any) -> None:
    if config.window < 1:
        raise ValueError(f"mlp: expected window >= 1, got {config.window}")
    if config.bidirectional and config.window % 2 == 0:
        raise ValueError(f"mlp: a centred window (bidirectional) needs an odd window, "
                         f"got {config.window}")
