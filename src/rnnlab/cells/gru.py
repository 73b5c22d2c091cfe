"""The gated recurrent unit (Cho et al. 2014), as PyTorch and cuDNN define it.

    r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)              reset gate
    z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)              update gate
    n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))   candidate
    h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}

The reset gate multiplies W_hn h_{t-1} + b_hn, not h_{t-1} before the product
as in the paper. Gate blocks in PyTorch's order r, z, n (G = 3); the state is
h (B, H). Symbols and shapes: :mod:`rnnlab.cells.spec`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def gru_gates(
    x: Tensor,
    h_prev: Tensor,
    *,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None,
    bias_hh: Tensor | None,
) -> dict[str, Tensor]:
    """{"r", "z", "n"}, each (B, H), from x (B, I) and h_{t-1} (B, H)."""
    a = F.linear(x, weight_ih, bias_ih)  # W_i· x_t + b_i·, (B, 3H)
    u = F.linear(h_prev, weight_hh, bias_hh)  # W_h· h_{t-1} + b_h·
    return gru_gate_values(a, u)


def gru_gate_values(a: Tensor, u: Tensor) -> dict[str, Tensor]:
    """The gates from the input and recurrent terms a, u (B, 3H) (shared with the LayerNorm GRU)."""
    a_r, a_z, a_n = a.chunk(3, dim=-1)  # each (B, H)
    u_r, u_z, u_n = u.chunk(3, dim=-1)
    r = torch.sigmoid(a_r + u_r)  # r_t
    z = torch.sigmoid(a_z + u_z)  # z_t
    n = torch.tanh(a_n + r * u_n)  # n_t, r_t on W_hn h_{t-1} + b_hn
    return {"r": r, "z": z, "n": n}


def gru_update(q: dict[str, Tensor], h_prev: Tensor) -> tuple[Tensor, Tensor]:
    """h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}, as (h_t, state_t = h_t)."""
    h = (1 - q["z"]) * q["n"] + q["z"] * h_prev
    return h, h


def gru_step(x: Tensor, h_prev: Tensor, **weights: object) -> tuple[Tensor, Tensor]:
    """One step: (h_t, state_t) with state_t = h_t."""
    return gru_update(gru_gates(x, h_prev, **weights), h_prev)
