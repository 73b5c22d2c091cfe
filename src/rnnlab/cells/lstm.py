"""The LSTM cell (Hochreiter & Schmidhuber 1997; forget gate: Gers et al. 2000).

    i_t = σ(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)       input gate
    f_t = σ(W_if x_t + b_if + W_hf h_{t-1} + b_hf)       forget gate
    g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)    candidate
    o_t = σ(W_io x_t + b_io + W_ho h_{t-1} + b_ho)       output gate
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
    h_t = o_t ⊙ tanh(c_t)

Gate blocks in PyTorch's order i, f, g, o (G = 4), so the tensors are those of
``torch.nn.LSTM``/``LSTMCell``. The state is (h, c), each (B, H).
Symbols and shapes: :mod:`rnnlab.cells.spec`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def lstm_gates(
    x: Tensor,
    state: tuple[Tensor, Tensor],
    *,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None,
    bias_hh: Tensor | None,
) -> dict[str, Tensor]:
    """{"i", "f", "g", "o"}, each (B, H), from x (B, I) and (h_{t-1}, c_{t-1})."""
    h_prev, _ = state
    a = F.linear(x, weight_ih, bias_ih) + F.linear(h_prev, weight_hh, bias_hh)  # (B, 4H)
    return lstm_gate_values(a)


def lstm_gate_values(a: Tensor) -> dict[str, Tensor]:
    """The gates from the pre-activation a (B, 4H) (shared with the LayerNorm LSTM)."""
    a_i, a_f, a_g, a_o = a.chunk(4, dim=-1)  # PyTorch gate order, each (B, H)
    i = torch.sigmoid(a_i)  # i_t
    f = torch.sigmoid(a_f)  # f_t
    g = torch.tanh(a_g)  # g_t
    o = torch.sigmoid(a_o)  # o_t
    return {"i": i, "f": f, "g": g, "o": o}


def lstm_step(
    x: Tensor, state: tuple[Tensor, Tensor], **weights: object
) -> tuple[Tensor, tuple[Tensor, Tensor]]:
    """One step: (h_t, (h_t, c_t))."""
    _, c_prev = state  # (B, H)
    q = lstm_gates(x, state, **weights)
    c = q["f"] * c_prev + q["i"] * q["g"]  # c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
    h = q["o"] * torch.tanh(c)  # h_t = o_t ⊙ tanh(c_t)
    return h, (h, c)
