"""The LayerNorm GRU in NumPy, forward and backward (rnnlab.cells.ln_gru's equations).

Forward (one step; LN per gate block, ``layer_norm.py``):

    a = LN(W_ih x_t; γ_ih) + b_ih,   u = LN(W_hh h_{t-1}; γ_hh) + b_hh     (B, 3H) each
    r = σ(a_r + u_r),   z = σ(a_z + u_z),   n = tanh(a_n + r ⊙ u_n)
    h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}

Backward, given dh_t (as reference/gru.py up to the pre-activations):

    δn = dh_t (1 − z)(1 − n²)    δz = dh_t (h_{t-1} − n) z(1 − z)    δr = δn ⊙ u_n ⊙ r(1 − r)
    at a: δ^x = [δr, δz, δn]      at u: δ^h = [δr, δz, δn ⊙ r]       ∂J/∂b = Σ_batch δ
    LN'(δ^x; γ_ih) -> ∂J/∂W_ih, dx_t;   LN'(δ^h; γ_hh) -> ∂J/∂W_hh, and
    dh_{t-1} = dh_t ⊙ z + LN'(δ^h) W_hh
"""

from __future__ import annotations

import numpy as np

from rnnlab.reference.activations import sigmoid
from rnnlab.reference.cell import Grads, ReferenceCell
from rnnlab.reference.layer_norm import block_norm, block_norm_backward


class LNGRUCell(ReferenceCell):
    """GRU with layer-normalised input and recurrent pre-activations (Ba et al. 2016)."""

    gates = 3

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 rng: np.random.Generator | None = None, dtype: type = np.float64) -> None:
        super().__init__(input_size, hidden_size, bias, rng, dtype)
        G, H = self.gates, hidden_size
        self.params.update({"ln_gain_ih": np.ones(G * H, dtype),
                            "ln_gain_hh": np.ones(G * H, dtype)})

    def forward(self, x: np.ndarray, h_prev: np.ndarray):
        p = self.params
        a, cache_x = block_norm(x @ p["weight_ih"].T, 3, p["ln_gain_ih"])
        u, cache_h = block_norm(h_prev @ p["weight_hh"].T, 3, p["ln_gain_hh"])
        if self.bias:
            a, u = a + p["bias_ih"], u + p["bias_hh"]
        a_r, a_z, a_n = np.split(a, 3, axis=1)
        u_r, u_z, u_n = np.split(u, 3, axis=1)
        r, z = sigmoid(a_r + u_r), sigmoid(a_z + u_z)
        n = np.tanh(a_n + r * u_n)
        h = (1 - z) * n + z * h_prev  # h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}
        return h, h, (x, h_prev, r, z, n, u_n, cache_x, cache_h)

    def backward(self, dh: np.ndarray, cache) -> tuple[np.ndarray, np.ndarray, Grads]:
        x, h_prev, r, z, n, u_n, cache_x, cache_h = cache
        delta_n = dh * (1 - z) * (1 - n**2)
        delta_z = dh * (h_prev - n) * z * (1 - z)
        delta_r = delta_n * u_n * r * (1 - r)
        delta_a = np.concatenate([delta_r, delta_z, delta_n], axis=1)  # at a, (B, 3H)
        delta_u = np.concatenate([delta_r, delta_z, delta_n * r], axis=1)  # at u
        dx_pre, d_gain_ih, _ = block_norm_backward(delta_a, cache_x)
        dh_pre, d_gain_hh, _ = block_norm_backward(delta_u, cache_h)
        grads = {"weight_ih": dx_pre.T @ x, "weight_hh": dh_pre.T @ h_prev,
                 "ln_gain_ih": d_gain_ih, "ln_gain_hh": d_gain_hh}
        if self.bias:
            grads["bias_ih"], grads["bias_hh"] = delta_a.sum(axis=0), delta_u.sum(axis=0)
        dx = dx_pre @ self.params["weight_ih"]
        return dx, dh * z + dh_pre @ self.params["weight_hh"], grads
