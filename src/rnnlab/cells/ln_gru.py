"""The LayerNorm GRU: PyTorch's GRU with Ba et al.'s (2016) normalised pre-activations.

    a_t = LN(W_ih x_t; γ_ih) + b_ih                 (B, 3H), blocks a_r, a_z, a_n
    u_t = LN(W_hh h_{t-1}; γ_hh) + b_hh             (B, 3H), blocks u_r, u_z, u_n
    r_t = σ(a_r + u_r)        z_t = σ(a_z + u_z)
    n_t = tanh(a_n + r_t ⊙ u_n)
    h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}

As in :mod:`rnnlab.cells.ln_lstm`, LN(·; γ) normalises each H-block on its own
and b_ih, b_hh are the shifts (``torch.nn.GRU``'s names and layout; the reset
gate multiplies the whole recurrent term u_n, as PyTorch's GRU does).
Extra parameters: γ_ih = ``ln_gain_ih`` (3H,), γ_hh = ``ln_gain_hh`` (3H,),
initialised to 1. The GRU has no memory cell, so there is no third
normalisation. The state is h (B, H). Symbols and shapes: :mod:`rnnlab.cells.spec`.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor

from rnnlab.cells.gru import gru_gate_values, gru_update
from rnnlab.cells.layer_norm import block_norm


def ln_gru_gates(
    x: Tensor,
    h_prev: Tensor,
    *,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None,
    bias_hh: Tensor | None,
    ln_gain_ih: Tensor,
    ln_gain_hh: Tensor,
) -> dict[str, Tensor]:
    """{"r", "z", "n"}, each (B, H), from x (B, I) and h_{t-1} (B, H)."""
    a = block_norm(F.linear(x, weight_ih), 3, ln_gain_ih)  # LN(W_ih x_t; γ_ih), (B, 3H)
    u = block_norm(F.linear(h_prev, weight_hh), 3, ln_gain_hh)  # LN(W_hh h_{t-1}; γ_hh)
    if bias_ih is not None:
        a, u = a + bias_ih, u + bias_hh
    return gru_gate_values(a, u)  # r_t, z_t, n_t = tanh(a_n + r_t ⊙ u_n)


def ln_gru_step(x: Tensor, h_prev: Tensor, **weights: Tensor) -> tuple[Tensor, Tensor]:
    """One step: (h_t, state_t) with h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}."""
    return gru_update(ln_gru_gates(x, h_prev, **weights), h_prev)
