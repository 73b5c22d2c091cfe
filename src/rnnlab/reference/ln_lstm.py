"""The LayerNorm LSTM in NumPy, forward and backward (rnnlab.cells.ln_lstm's equations).

Forward (one step; LN per gate block, ``layer_norm.py``):

    a_t = LN(W_ih x_t; γ_ih) + b_ih + LN(W_hh h_{t-1}; γ_hh) + b_hh       (B, 4H)
    i, f, g, o = σ(a_i), σ(a_f), tanh(a_g), σ(a_o)
    c_t = f ⊙ c_{t-1} + i ⊙ g
    y_t = LN(c_t; γ_c, β_c),   h_t = o ⊙ tanh(y_t)

Backward, given dh_t and dc_next:

    do = dh_t ⊙ tanh(y_t)          dy = dh_t ⊙ o ⊙ (1 − tanh² y_t)
    dc_t = dc_next + LN'(dy)       (and ∂J/∂γ_c, ∂J/∂β_c)
    δ = [dc g i(1−i), dc c_{t-1} f(1−f), dc i (1−g²), do o(1−o)]   at a_t
    ∂J/∂b_ih = ∂J/∂b_hh = Σ_batch δ
    δ_x = LN'(δ; γ_ih) -> ∂J/∂W_ih = δ_xᵀ x_t,  dx_t = δ_x W_ih    (and ∂J/∂γ_ih)
    δ_h = LN'(δ; γ_hh) -> ∂J/∂W_hh = δ_hᵀ h_{t-1},  dh_{t-1} = δ_h W_hh
    dc_{t-1} = dc_t ⊙ f
"""

from __future__ import annotations

import numpy as np

from rnnlab.reference.activations import sigmoid
from rnnlab.reference.cell import Grads, ReferenceCell
from rnnlab.reference.layer_norm import block_norm, block_norm_backward


class LNLSTMCell(ReferenceCell):
    """LSTM with layer-normalised pre-activations and cell output (Ba et al. 2016)."""

    gates = 4
    state_size_factor = 2

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 rng: np.random.Generator | None = None, dtype: type = np.float64) -> None:
        super().__init__(input_size, hidden_size, bias, rng, dtype)
        G, H = self.gates, hidden_size
        self.params.update({  # Ba et al.: gains 1, shift 0
            "ln_gain_ih": np.ones(G * H, dtype), "ln_gain_hh": np.ones(G * H, dtype),
            "ln_gain_c": np.ones(H, dtype), "ln_bias_c": np.zeros(H, dtype)})

    def init_state(self, batch_size: int):
        h0 = super().init_state(batch_size)
        return h0, h0.copy()

    def forward(self, x: np.ndarray, state):
        h_prev, c_prev = state
        p = self.params
        nx, cache_x = block_norm(x @ p["weight_ih"].T, 4, p["ln_gain_ih"])
        nh, cache_h = block_norm(h_prev @ p["weight_hh"].T, 4, p["ln_gain_hh"])
        a = nx + nh + (p["bias_ih"] + p["bias_hh"] if self.bias else 0.0)
        a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)
        i, f, g, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)
        c = f * c_prev + i * g  # c_t = f ⊙ c_{t-1} + i ⊙ g
        y, cache_c = block_norm(c, 1, p["ln_gain_c"], p["ln_bias_c"])
        tanh_y = np.tanh(y)
        h = o * tanh_y  # h_t = o ⊙ tanh(LN(c_t))
        return h, (h, c), (x, h_prev, c_prev, i, f, g, o, tanh_y, cache_x, cache_h, cache_c)

    def backward(self, dstate, cache) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray], Grads]:
        dh, dc_next = dstate
        x, h_prev, c_prev, i, f, g, o, tanh_y, cache_x, cache_h, cache_c = cache
        do = dh * tanh_y
        dc_ln, d_gain_c, d_bias_c = block_norm_backward(dh * o * (1.0 - tanh_y**2), cache_c)
        dc = dc_next + dc_ln
        delta = np.concatenate([dc * g * i * (1 - i), dc * c_prev * f * (1 - f),
                                dc * i * (1 - g**2), do * o * (1 - o)], axis=1)  # (B, 4H)
        delta_x, d_gain_ih, _ = block_norm_backward(delta, cache_x)
        delta_h, d_gain_hh, _ = block_norm_backward(delta, cache_h)
        grads = {"weight_ih": delta_x.T @ x, "weight_hh": delta_h.T @ h_prev,
                 "ln_gain_ih": d_gain_ih, "ln_gain_hh": d_gain_hh,
                 "ln_gain_c": d_gain_c, "ln_bias_c": d_bias_c}
        if self.bias:
            grads["bias_ih"] = grads["bias_hh"] = delta.sum(axis=0)
        dx = delta_x @ self.params["weight_ih"]
        return dx, (delta_h @ self.params["weight_hh"], dc * f), grads
