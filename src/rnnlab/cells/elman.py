"""The Elman cell (Elman 1990): one hidden layer fed back to itself.

    h_t = φ(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh),   φ ∈ {tanh, relu, sigmoid}

The course notes write the Elman network with the sigmoid; ``torch.nn`` has
tanh and relu. One gate block (G = 1), named "h"; the state is h (B, H).
Symbols and shapes: :mod:`rnnlab.cells.spec`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

NONLINEARITIES = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid}


def elman_gates(
    x: Tensor,
    h_prev: Tensor,
    *,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None,
    bias_hh: Tensor | None,
    nonlinearity: str = "tanh",
) -> dict[str, Tensor]:
    """{"h": h_t}: x (B, I), h_{t-1} (B, H) -> (B, H)."""
    φ = NONLINEARITIES[nonlinearity]
    h = φ(F.linear(x, weight_ih, bias_ih) + F.linear(h_prev, weight_hh, bias_hh))  # h_t
    return {"h": h}


def elman_step(x: Tensor, h_prev: Tensor, **weights: object) -> tuple[Tensor, Tensor]:
    """One step: (h_t, state_t) with state_t = h_t."""
    h = elman_gates(x, h_prev, **weights)["h"]  # (B, H)
    return h, h
