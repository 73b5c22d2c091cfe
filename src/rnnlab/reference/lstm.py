"""The LSTM cell in NumPy, forward and backward (PyTorch's gate order i, f, g, o).

Forward (one step):

    i_t = σ(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)        input gate
    f_t = σ(W_if x_t + b_if + W_hf h_{t-1} + b_hf)        forget gate
    g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)     candidate
    o_t = σ(W_io x_t + b_io + W_ho h_{t-1} + b_ho)        output gate
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
    h_t = o_t ⊙ tanh(c_t)

Backward, given dh_t (output above + dh_next) and dc_next = ∂J/∂c_t through c_{t+1}:

    do_t      = dh_t ⊙ tanh(c_t)
    dc_t      = dc_next + dh_t ⊙ o_t ⊙ (1 - tanh²(c_t))
    di_t      = dc_t ⊙ g_t        dg_t = dc_t ⊙ i_t        df_t = dc_t ⊙ c_{t-1}
    dc_{t-1}  = dc_t ⊙ f_t                                the "constant error carousel"
    δ_t       = [di ⊙ i(1-i), df ⊙ f(1-f), dg ⊙ (1-g²), do ⊙ o(1-o)]     (B, 4H)
    ∂J/∂W_ih |_(t) = δ_tᵀ x_t    ∂J/∂W_hh |_(t) = δ_tᵀ h_{t-1}    ∂J/∂b |_(t) = Σ_batch δ_t
    dx_t = δ_t W_ih              dh_{t-1} = δ_t W_hh

Jacobian of one step of the state s = (h, c), a (2H, 2H) block matrix:

    ∂c_t/∂h_{t-1} = diag(c_{t-1} ⊙ f(1-f)) W_hf + diag(g ⊙ i(1-i)) W_hi + diag(i ⊙ (1-g²)) W_hg
    ∂c_t/∂c_{t-1} = diag(f_t)
    ∂h_t/∂h_{t-1} = diag(tanh(c_t) ⊙ o(1-o)) W_ho + diag(o ⊙ (1-tanh²c_t)) ∂c_t/∂h_{t-1}
    ∂h_t/∂c_{t-1} = diag(o ⊙ (1-tanh²c_t) ⊙ f_t)
"""

from __future__ import annotations

import numpy as np

from rnnlab.reference.activations import sigmoid
from rnnlab.reference.cell import Grads, ReferenceCell


class LSTMCell(ReferenceCell):
    """Long short-term memory (Hochreiter & Schmidhuber 1997; forget gate: Gers et al. 2000)."""

    gates = 4
    state_size_factor = 2

    def init_state(self, batch_size: int):
        h0 = super().init_state(batch_size)
        return h0, h0.copy()

    def forward(self, x: np.ndarray, state):
        h_prev, c_prev = state
        a_x, a_h = self._pre_activations(x, h_prev)
        a_i, a_f, a_g, a_o = np.split(a_x + a_h, 4, axis=1)  # each (B, H)
        i, f, g, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)
        c = f * c_prev + i * g  # c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
        tanh_c = np.tanh(c)
        h = o * tanh_c  # h_t = o_t ⊙ tanh(c_t)
        cache = (x, h_prev, c_prev, i, f, g, o, tanh_c)
        return h, (h, c), cache

    def backward(self, dstate, cache) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray], Grads]:
        dh, dc_next = dstate
        x, h_prev, c_prev, i, f, g, o, tanh_c = cache
        do = dh * tanh_c
        dc = dc_next + dh * o * (1.0 - tanh_c**2)
        di, dg, df = dc * g, dc * i, dc * c_prev
        dc_prev = dc * f
        delta = np.concatenate(
            [di * i * (1 - i), df * f * (1 - f), dg * (1 - g**2), do * o * (1 - o)], axis=1
        )  # (B, 4H), errors at the four pre-activations
        grads = self._weight_grads(delta, delta, x, h_prev)
        dx = delta @ self.params["weight_ih"]  # (B, I)
        dh_prev = delta @ self.params["weight_hh"]  # (B, H)
        return dx, (dh_prev, dc_prev), grads

    def jacobian(self, cache) -> np.ndarray:
        _, _, c_prev, i, f, g, o, tanh_c = cache
        W_hi, W_hf, W_hg, W_ho = np.split(self.params["weight_hh"], 4, axis=0)  # each (H, H)

        def rows(scale: np.ndarray, W: np.ndarray) -> np.ndarray:  # diag(scale) W, batched
            return scale[:, :, None] * W[None]

        dc_dh = rows(c_prev * f * (1 - f), W_hf) + rows(g * i * (1 - i), W_hi)
        dc_dh = dc_dh + rows(i * (1 - g**2), W_hg)
        dc_dc = np.eye(self.hidden_size)[None] * f[:, :, None]
        dtanh = o * (1 - tanh_c**2)  # ∂h_t/∂c_t (diagonal)
        dh_dh = rows(tanh_c * o * (1 - o), W_ho) + dtanh[:, :, None] * dc_dh
        dh_dc = np.eye(self.hidden_size)[None] * (dtanh * f)[:, :, None]
        top = np.concatenate([dh_dh, dh_dc], axis=2)
        bottom = np.concatenate([dc_dh, dc_dc], axis=2)
        return np.concatenate([top, bottom], axis=1)  # (B, 2H, 2H), state order (h, c)
