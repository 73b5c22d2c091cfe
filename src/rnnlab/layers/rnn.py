"""``RNN``, ``LSTM``, ``GRU``: drop-in ``torch.nn`` layers with an explicit and a fused backend.

Same constructor arguments, shapes, state layout and state-dict keys as their
``torch.nn`` namesakes, plus ``nonlinearity="sigmoid"`` (RNN), ``forget_bias``
(LSTM), ``init``, ``backend`` and ``forward(x, state, lengths=)``. The shared
machinery is :class:`rnnlab.layers.torchlike.TorchLikeRNN`.
"""

from __future__ import annotations

from typing import Any

import torch

from rnnlab.cells.checks import check_choice
from rnnlab.cells.functional import NONLINEARITIES
from rnnlab.layers.torchlike import TorchLikeRNN


class RNN(TorchLikeRNN):
    """Elman network layer, ``torch.nn.RNN``'s arguments plus ``nonlinearity="sigmoid"``.

    h_t = φ(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh) per layer and direction
    (:class:`rnnlab.cells.ElmanCell`). Fused for tanh and relu; sigmoid runs the
    explicit loop. State h_n (L·D, B, H).
    """

    num_gates = 1

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        *,
        backend: str = "auto",
        init: str = "default",
        device: Any = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        mode = check_choice("nonlinearity", nonlinearity, tuple(NONLINEARITIES))
        super().__init__(
            mode,
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            backend=backend,
            init=init,
            device=device,
            dtype=dtype,
        )

    @property
    def nonlinearity(self) -> str:
        return self.mode


class LSTM(TorchLikeRNN):
    """LSTM layer, ``torch.nn.LSTM``'s arguments plus ``forget_bias`` (see :class:`LSTMCell`).

    Per layer and direction the equations of :class:`rnnlab.cells.LSTMCell`
    (gates i, f, g, o). State (h_n, c_n), each (L·D, B, H).
    """

    num_gates = 4
    state_names = ("h", "c")

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        *,
        backend: str = "auto",
        init: str = "default",
        forget_bias: float | None = None,
        device: Any = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__(
            "lstm",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            backend=backend,
            init=init,
            forget_bias=forget_bias,
            device=device,
            dtype=dtype,
        )


class GRU(TorchLikeRNN):
    """GRU layer, ``torch.nn.GRU``'s arguments (equations of :class:`rnnlab.cells.GRUCell`).

    State h_n (L·D, B, H).
    """

    num_gates = 3

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        *,
        backend: str = "auto",
        init: str = "default",
        device: Any = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__(
            "gru",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            backend=backend,
            init=init,
            device=device,
            dtype=dtype,
        )
