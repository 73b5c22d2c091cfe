"""The Elman cell in NumPy, forward and backward.

Forward (one step; f is tanh, relu or sigmoid):

    a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh          (B, H)
    h_t = f(a_t)

Backward, given dh_t = ∂J/∂h_t (everything that reaches h_t: the output
above it at step t and dh_next, the path through h_{t+1}):

    δ_t       = dh_t ⊙ f'(a_t)                            error at the pre-activation
    ∂J/∂W_ih |_(t) = δ_tᵀ x_t        ∂J/∂W_hh |_(t) = δ_tᵀ h_{t-1}
    ∂J/∂b    |_(t) = Σ_batch δ_t
    dx_t      = δ_t W_ih                                  to the layer below
    dh_{t-1}  = δ_t W_hh                                  dh_next for step t-1

Jacobian of one step (Pascanu et al. 2013, eq. 5 multiplies these):

    ∂h_t/∂h_{t-1} = diag(f'(a_t)) W_hh
"""

from __future__ import annotations

import numpy as np

from rnnlab.reference.activations import get_activation
from rnnlab.reference.cell import Grads, ReferenceCell


class ElmanCell(ReferenceCell):
    """h_t = f(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), f ∈ {tanh, relu, sigmoid}."""

    gates = 1

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        rng: np.random.Generator | None = None,
        dtype: type = np.float64,
    ) -> None:
        self.activation = get_activation(nonlinearity)  # checks the name first
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, rng, dtype)

    def forward(self, x: np.ndarray, h_prev: np.ndarray):
        a_x, a_h = self._pre_activations(x, h_prev)
        h = self.activation.f(a_x + a_h)  # h_t = f(a_t)
        cache = (x, h_prev, h)
        return h, h, cache

    def backward(self, dh: np.ndarray, cache) -> tuple[np.ndarray, np.ndarray, Grads]:
        x, h_prev, h = cache
        delta = dh * self.activation.df_from_output(h)  # δ_t = dh_t ⊙ f'(a_t)
        grads = self._weight_grads(delta, delta, x, h_prev)
        dx = delta @ self.params["weight_ih"]  # (B, I)
        dh_prev = delta @ self.params["weight_hh"]  # (B, H)
        return dx, dh_prev, grads

    def jacobian(self, cache) -> np.ndarray:
        _, _, h = cache
        fprime = self.activation.df_from_output(h)  # (B, H)
        return fprime[:, :, None] * self.params["weight_hh"][None]  # diag(f'(a_t)) W_hh, (B, H, H)

    def __repr__(self) -> str:
        return (
            f"ElmanCell({self.input_size}, {self.hidden_size}, bias={self.bias}, "
            f"nonlinearity={self.nonlinearity!r})"
        )
