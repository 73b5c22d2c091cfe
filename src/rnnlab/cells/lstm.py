"""The LSTM cell (Hochreiter & Schmidhuber 1997; forget gate: Gers et al. 2000)."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from rnnlab.cells.base import RecurrentCell
from rnnlab.cells.functional import lstm_gates, lstm_step
from rnnlab.cells.init import init_recurrent_


class LSTMCell(RecurrentCell):
    r"""Long short-term memory, PyTorch's gate order i, f, g, o (G = 4).

    i_t = σ(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)
    f_t = σ(W_if x_t + b_if + W_hf h_{t-1} + b_hf)
    g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)
    o_t = σ(W_io x_t + b_io + W_ho h_{t-1} + b_ho)
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
    h_t = o_t ⊙ tanh(c_t)

    Code (:mod:`rnnlab.cells.functional`)::

        i = torch.sigmoid(a_i)            # i_t = σ(W_ii x + b_ii + W_hi h + b_hi)
        f = torch.sigmoid(a_f)            # f_t = σ(W_if x + b_if + W_hf h + b_hf)
        g = torch.tanh(a_g)               # g_t = tanh(W_ig x + b_ig + W_hg h + b_hg)
        o = torch.sigmoid(a_o)            # o_t = σ(W_io x + b_io + W_ho h + b_ho)
        c = q["f"] * c + q["i"] * q["g"]  # c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
        h = q["o"] * torch.tanh(c)        # h_t = o_t ⊙ tanh(c_t)

    Parameters and init are those of ``torch.nn.LSTMCell``. ``forget_bias``:
    ``None`` keeps PyTorch's init; a number sets b_if + b_hf to it (b_if = it,
    b_hf = 0; Jozefowicz et al. 2015 recommend 1.0). State: (h, c), each (B, H).
    """

    num_gates = 4
    state_names = ("h", "c")

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        *,
        forget_bias: float | None = None,
        init: str = "default",
        device: Any = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, init=init, device=device, dtype=dtype)
        if forget_bias is not None and not self.bias:
            raise ValueError("forget_bias needs bias=True")
        self.forget_bias = None if forget_bias is None else float(forget_bias)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init_recurrent_(
            self.weight_ih,
            self.weight_hh,
            self.bias_ih,
            self.bias_hh,
            self.hidden_size,
            self.init,
            forget_bias=self.forget_bias,
            forget_gate=1,
        )

    def _gates(self, x: Tensor, state: tuple[Tensor, Tensor]) -> dict[str, Tensor]:
        return lstm_gates(x, state[0], *self.weights)

    def _step(
        self, x: Tensor, state: tuple[Tensor, Tensor]
    ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        return lstm_step(x, state, *self.weights)

    def extra_repr(self) -> str:
        s = super().extra_repr()
        return s if self.forget_bias is None else f"{s}, forget_bias={self.forget_bias}"
