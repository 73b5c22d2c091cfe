"""The GRU cell in NumPy, forward and backward (PyTorch's gate order r, z, n).

Forward (one step; PyTorch's variant, r applied after W_hn):

    r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)                 reset gate
    z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)                 update gate
    n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))      candidate
    h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}

Backward, given dh_t (output above + dh_next):

    dn_t = dh_t ⊙ (1 - z_t)          dz_t = dh_t ⊙ (h_{t-1} - n_t)
    δn_t = dn_t ⊙ (1 - n_t²)         δz_t = dz_t ⊙ z_t(1 - z_t)
    δr_t = δn_t ⊙ (W_hn h_{t-1} + b_hn) ⊙ r_t(1 - r_t)
    input side   δ^x_t = [δr, δz, δn]          ∂J/∂W_ih|_(t) = δ^xᵀ x_t,  dx_t = δ^x W_ih
    hidden side  δ^h_t = [δr, δz, δn ⊙ r]      ∂J/∂W_hh|_(t) = δ^hᵀ h_{t-1}
    dh_{t-1} = dh_t ⊙ z_t + δ^h_t W_hh

Jacobian of one step:

    ∂h_t/∂h_{t-1} = diag(z) + diag((h_{t-1} - n) ⊙ z(1-z)) W_hz
                    + diag((1-z) ⊙ (1-n²))
                      · [diag((W_hn h_{t-1} + b_hn) ⊙ r(1-r)) W_hr + diag(r) W_hn]
"""

from __future__ import annotations

import numpy as np

from rnnlab.reference.activations import sigmoid
from rnnlab.reference.cell import Grads, ReferenceCell


class GRUCell(ReferenceCell):
    """Gated recurrent unit (Cho et al. 2014), in PyTorch's formulation."""

    gates = 3

    def forward(self, x: np.ndarray, h_prev: np.ndarray):
        a_x, a_h = self._pre_activations(x, h_prev)
        ax_r, ax_z, ax_n = np.split(a_x, 3, axis=1)  # W_i· x_t + b_i·, each (B, H)
        ah_r, ah_z, ah_n = np.split(a_h, 3, axis=1)  # W_h· h_{t-1} + b_h·, each (B, H)
        r = sigmoid(ax_r + ah_r)
        z = sigmoid(ax_z + ah_z)
        n = np.tanh(ax_n + r * ah_n)
        h = (1 - z) * n + z * h_prev  # h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}
        cache = (x, h_prev, r, z, n, ah_n)
        return h, h, cache

    def backward(self, dh: np.ndarray, cache) -> tuple[np.ndarray, np.ndarray, Grads]:
        x, h_prev, r, z, n, ah_n = cache
        dn = dh * (1 - z)
        dz = dh * (h_prev - n)
        delta_n = dn * (1 - n**2)
        delta_z = dz * z * (1 - z)
        delta_r = delta_n * ah_n * r * (1 - r)
        delta_x = np.concatenate([delta_r, delta_z, delta_n], axis=1)  # (B, 3H)
        delta_h = np.concatenate([delta_r, delta_z, delta_n * r], axis=1)  # (B, 3H)
        grads = self._weight_grads(delta_x, delta_h, x, h_prev)
        dx = delta_x @ self.params["weight_ih"]  # (B, I)
        dh_prev = dh * z + delta_h @ self.params["weight_hh"]  # (B, H)
        return dx, dh_prev, grads

    def jacobian(self, cache) -> np.ndarray:
        _, h_prev, r, z, n, ah_n = cache
        W_hr, W_hz, W_hn = np.split(self.params["weight_hh"], 3, axis=0)  # each (H, H)

        def rows(scale: np.ndarray, W: np.ndarray) -> np.ndarray:  # diag(scale) W, batched
            return scale[:, :, None] * W[None]

        dn_dh = rows(ah_n * r * (1 - r), W_hr) + rows(r, W_hn)  # before tanh'
        J = np.eye(self.hidden_size)[None] * z[:, :, None]
        J = J + rows((h_prev - n) * z * (1 - z), W_hz)
        J = J + ((1 - z) * (1 - n**2))[:, :, None] * dn_dh
        return J  # (B, H, H)
