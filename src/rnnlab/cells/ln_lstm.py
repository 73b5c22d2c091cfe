"""The LayerNorm LSTM (Ba et al. 2016, section 3.1 and the LSTM equations of its appendix).

    a_t = LN(W_ih x_t; γ_ih) + b_ih + LN(W_hh h_{t-1}; γ_hh) + b_hh     (B, 4H)
    i_t, f_t, g_t, o_t = σ(a_i), σ(a_f), tanh(a_g), σ(a_o)               PyTorch's gate order
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
    h_t = o_t ⊙ tanh(LN(c_t; γ_c, β_c))

LN(·; γ) normalises each of the four H-blocks of a pre-activation on its own
and multiplies by the gain (``cells/layer_norm.py``); b_ih and b_hh are the
shifts (Ba et al.'s β of the two normalised terms), so the weights keep
``torch.nn.LSTM``'s names and layout and ``forget_bias`` sets the f block of
b_ih as in the plain LSTM. Extra parameters: γ_ih = ``ln_gain_ih`` (4H,),
γ_hh = ``ln_gain_hh`` (4H,), γ_c = ``ln_gain_c`` (H,), β_c = ``ln_bias_c`` (H,),
gains initialised to 1 and β_c to 0 (Ba et al.). c_t itself is carried
un-normalised; only the output reads LN(c_t). The state is (h, c), each (B, H).
Symbols and shapes: :mod:`rnnlab.cells.spec`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from rnnlab.cells.layer_norm import block_norm, layer_norm
from rnnlab.cells.lstm import lstm_gate_values


def ln_lstm_gates(
    x: Tensor,
    state: tuple[Tensor, Tensor],
    *,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None,
    bias_hh: Tensor | None,
    ln_gain_ih: Tensor,
    ln_gain_hh: Tensor,
    ln_gain_c: Tensor,
    ln_bias_c: Tensor,
) -> dict[str, Tensor]:
    """{"i", "f", "g", "o"}, each (B, H), from x (B, I) and (h_{t-1}, c_{t-1})."""
    h_prev, _ = state
    a_x = block_norm(F.linear(x, weight_ih), 4, ln_gain_ih)  # LN(W_ih x_t; γ_ih), (B, 4H)
    a_h = block_norm(F.linear(h_prev, weight_hh), 4, ln_gain_hh)  # LN(W_hh h_{t-1}; γ_hh)
    a = a_x + a_h if bias_ih is None else a_x + a_h + bias_ih + bias_hh  # a_t
    return lstm_gate_values(a)  # σ(a_i), σ(a_f), tanh(a_g), σ(a_o)


def ln_lstm_step(
    x: Tensor, state: tuple[Tensor, Tensor], **weights: Tensor
) -> tuple[Tensor, tuple[Tensor, Tensor]]:
    """One step: (h_t, (h_t, c_t))."""
    _, c_prev = state  # (B, H)
    q = ln_lstm_gates(x, state, **weights)
    c = q["f"] * c_prev + q["i"] * q["g"]  # c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
    h = q["o"] * torch.tanh(layer_norm(c, weights["ln_gain_c"], weights["ln_bias_c"]))  # h_t
    return h, (h, c)
