"""The Elman cell (Elman 1990): one hidden layer fed back to itself."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from rnnlab.cells.base import RecurrentCell
from rnnlab.cells.checks import check_choice
from rnnlab.cells.functional import NONLINEARITIES, elman_gates, elman_step


class ElmanCell(RecurrentCell):
    r"""h_t = φ(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), φ ∈ {tanh, relu, sigmoid}.

    Parameters and init are those of ``torch.nn.RNNCell`` (G = 1), so state
    dicts move both ways; ``nonlinearity="sigmoid"`` is the course notes' Elman
    network, which ``torch.nn`` lacks. State: h (B, H).

    Code (:func:`rnnlab.cells.functional.elman_gates`)::

        h = φ(F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh))  # h_t = φ(W_ih x + W_hh h + b)
    """

    num_gates = 1
    state_names = ("h",)

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        *,
        init: str = "default",
        device: Any = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, init=init, device=device, dtype=dtype)
        self.nonlinearity = check_choice("nonlinearity", nonlinearity, tuple(NONLINEARITIES))
        self.reset_parameters()

    def _gates(self, x: Tensor, state: Tensor) -> dict[str, Tensor]:
        return elman_gates(x, state, *self.weights, self.nonlinearity)

    def _step(self, x: Tensor, state: Tensor) -> tuple[Tensor, Tensor]:
        return elman_step(x, state, *self.weights, self.nonlinearity)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, nonlinearity={self.nonlinearity!r}"
