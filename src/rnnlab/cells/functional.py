"""The cell equations, once, as functions of the parameter tensors.

Every cell module and every explicit layer calls these functions, so each
equation exists in exactly one place. Symbols (shapes in comments):

    B batch, I input size, H hidden size, G number of gate blocks
    x (B, I)   input at step t          h (B, H)   hidden state h_{t-1}
    c (B, H)   LSTM cell state c_{t-1}  W_ih (G·H, I), W_hh (G·H, H), b_ih, b_hh (G·H,)

Gate blocks follow PyTorch's order (LSTM i, f, g, o; GRU r, z, n), so the
tensors are exactly those of ``torch.nn.RNN/LSTM/GRU`` and their cells.
A ``*_gates`` function returns the post-activation gate values; the matching
``*_step`` function combines them into the new state. Biases may be ``None``
(``bias=False``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

# Elman nonlinearities φ: the course notes write the Elman network with the sigmoid
NONLINEARITIES = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid}


def elman_gates(
    x: Tensor,
    h: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None,
    b_hh: Tensor | None,
    nonlinearity: str = "tanh",
) -> dict[str, Tensor]:
    """h_t = φ(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)   (b = b_ih + b_hh in the comment)."""
    φ = NONLINEARITIES[nonlinearity]
    h = φ(F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh))  # h_t = φ(W_ih x + W_hh h + b)
    return {"h": h}  # (B, H)


def elman_step(
    x: Tensor,
    h: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None,
    b_hh: Tensor | None,
    nonlinearity: str = "tanh",
) -> tuple[Tensor, Tensor]:
    """One Elman step: returns (h_t, state_t) with state_t = h_t."""
    h = elman_gates(x, h, w_ih, w_hh, b_ih, b_hh, nonlinearity)["h"]  # (B, H)
    return h, h


def lstm_gates(
    x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None, b_hh: Tensor | None
) -> dict[str, Tensor]:
    """i, f, g, o of the LSTM (Hochreiter & Schmidhuber 1997, with a forget gate).

    i_t = σ(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)
    f_t = σ(W_if x_t + b_if + W_hf h_{t-1} + b_hf)
    g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)
    o_t = σ(W_io x_t + b_io + W_ho h_{t-1} + b_ho)
    """
    a = F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh)  # (B, 4H) pre-activations
    a_i, a_f, a_g, a_o = a.chunk(4, dim=-1)  # PyTorch gate order, each (B, H)
    i = torch.sigmoid(a_i)  # i_t = σ(W_ii x + b_ii + W_hi h + b_hi)
    f = torch.sigmoid(a_f)  # f_t = σ(W_if x + b_if + W_hf h + b_hf)
    g = torch.tanh(a_g)  # g_t = tanh(W_ig x + b_ig + W_hg h + b_hg)
    o = torch.sigmoid(a_o)  # o_t = σ(W_io x + b_io + W_ho h + b_ho)
    return {"i": i, "f": f, "g": g, "o": o}


def lstm_step(
    x: Tensor,
    state: tuple[Tensor, Tensor],
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None,
    b_hh: Tensor | None,
) -> tuple[Tensor, tuple[Tensor, Tensor]]:
    """One LSTM step: c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t;  h_t = o_t ⊙ tanh(c_t)."""
    h, c = state  # (B, H), (B, H)
    q = lstm_gates(x, h, w_ih, w_hh, b_ih, b_hh)
    c = q["f"] * c + q["i"] * q["g"]  # c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
    h = q["o"] * torch.tanh(c)  # h_t = o_t ⊙ tanh(c_t)
    return h, (h, c)


def gru_gates(
    x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None, b_hh: Tensor | None
) -> dict[str, Tensor]:
    """r, z, n of the GRU (Cho et al. 2014) as PyTorch defines them.

    r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)
    z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)
    n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))
    """
    a_r, a_z, a_in = F.linear(x, w_ih, b_ih).chunk(3, dim=-1)  # input parts, each (B, H)
    u_r, u_z, u_hn = F.linear(h, w_hh, b_hh).chunk(3, dim=-1)  # recurrent parts, each (B, H)
    r = torch.sigmoid(a_r + u_r)  # r_t = σ(W_ir x + b_ir + W_hr h + b_hr)
    z = torch.sigmoid(a_z + u_z)  # z_t = σ(W_iz x + b_iz + W_hz h + b_hz)
    n = torch.tanh(a_in + r * u_hn)  # n_t = tanh(W_in x + b_in + r_t ⊙ (W_hn h + b_hn))
    return {"r": r, "z": z, "n": n}


def gru_step(
    x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None, b_hh: Tensor | None
) -> tuple[Tensor, Tensor]:
    """One GRU step: h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}."""
    q = gru_gates(x, h, w_ih, w_hh, b_ih, b_hh)
    h = (1 - q["z"]) * q["n"] + q["z"] * h  # h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}
    return h, h
