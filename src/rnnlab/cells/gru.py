"""The gated recurrent unit (Cho et al. 2014), as PyTorch defines it."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from rnnlab.cells.base import RecurrentCell
from rnnlab.cells.functional import gru_gates, gru_step


class GRUCell(RecurrentCell):
    r"""Gated recurrent unit, PyTorch's gate order r, z, n (G = 3).

    r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)
    z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)
    n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))
    h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}

    Code (:mod:`rnnlab.cells.functional`)::

        r = torch.sigmoid(a_r + u_r)     # r_t = σ(W_ir x + b_ir + W_hr h + b_hr)
        z = torch.sigmoid(a_z + u_z)     # z_t = σ(W_iz x + b_iz + W_hz h + b_hz)
        n = torch.tanh(a_in + r * u_hn)  # n_t = tanh(W_in x + b_in + r_t ⊙ (W_hn h + b_hn))
        h = (1 - q["z"]) * q["n"] + q["z"] * h  # h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}

    The reset gate multiplies W_hn h + b_hn (PyTorch, cuDNN), not h before the
    product (the original paper). Parameters and init are those of
    ``torch.nn.GRUCell``. State: h (B, H).
    """

    num_gates = 3
    state_names = ("h",)

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        *,
        init: str = "default",
        device: Any = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, init=init, device=device, dtype=dtype)
        self.reset_parameters()

    def _gates(self, x: Tensor, state: Tensor) -> dict[str, Tensor]:
        return gru_gates(x, state, *self.weights)

    def _step(self, x: Tensor, state: Tensor) -> tuple[Tensor, Tensor]:
        return gru_step(x, state, *self.weights)
