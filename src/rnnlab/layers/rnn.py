"""``RNN``, ``LSTM``, ``GRU``: drop-in ``torch.nn`` layers, thin presets of :class:`Recurrent`.

Same positional arguments, shapes, state layout and state-dict keys as their
``torch.nn`` namesakes (``proj_size`` excepted), plus ``nonlinearity="sigmoid"``
(RNN), ``forget_bias`` (LSTM, GRU), ``init``, ``backend``, ``weight_drop`` and
``forward(x, state, lengths=)``. Arguments, inputs, outputs and the equivalent
loop are documented on :class:`Recurrent`.
"""

from __future__ import annotations

from typing import Any

import torch

from rnnlab.cells.checks import check_choice
from rnnlab.cells.elman import NONLINEARITIES
from rnnlab.layers.recurrent import Recurrent


class RNN(Recurrent):
    """Elman network layer: ``torch.nn.RNN``'s arguments, plus ``nonlinearity="sigmoid"``.

    h_t = φ(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh) per layer and direction,
    cell "elman-{nonlinearity}". Fused for every φ (sigmoid through the tanh
    kernel, exactly). State h_n (L·D, B, H).
    """

    cell_in_repr = False

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
        weight_drop: float = 0.0,
        device: Any = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        check_choice("nonlinearity", nonlinearity, tuple(NONLINEARITIES))
        super().__init__(
            cell=f"elman-{nonlinearity}",
            input_size=input_size,
            hidden_size=hidden_size,
            num_layers=num_layers,
            bias=bias,
            batch_first=batch_first,
            dropout=dropout,
            bidirectional=bidirectional,
            backend=backend,
            init=init,
            weight_drop=weight_drop,
            device=device,
            dtype=dtype,
        )
        self.nonlinearity = nonlinearity

    def extra_repr(self) -> str:
        extra = "" if self.nonlinearity == "tanh" else f", nonlinearity={self.nonlinearity!r}"
        head, _, rest = super().extra_repr().partition(", backend=")
        return f"{head}{extra}, backend={rest}"


class _GatedLayer(Recurrent):
    """The signature ``torch.nn.LSTM`` and ``GRU`` share, plus rnnlab's keyword arguments."""

    cell_in_repr = False
    cell_name = ""  # the registry name, set by each preset

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
        weight_drop: float = 0.0,
        device: Any = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__(
            cell=self.cell_name,
            input_size=input_size,
            hidden_size=hidden_size,
            num_layers=num_layers,
            bias=bias,
            batch_first=batch_first,
            dropout=dropout,
            bidirectional=bidirectional,
            backend=backend,
            init=init,
            forget_bias=forget_bias,
            weight_drop=weight_drop,
            device=device,
            dtype=dtype,
        )


class LSTM(_GatedLayer):
    """LSTM layer: ``torch.nn.LSTM``'s arguments, cell "lstm" (gates i, f, g, o).

    ``forget_bias`` b sets b_if = b, b_hf = 0 in every layer and direction
    (Jozefowicz et al. 2015 recommend 1.0). State (h_n, c_n), each (L·D, B, H).
    """

    cell_name = "lstm"


class GRU(_GatedLayer):
    """GRU layer: ``torch.nn.GRU``'s arguments, cell "gru" (gates r, z, n).

    ``forget_bias`` b sets the update gate's b_iz = b, b_hz = 0 in every layer
    and direction. State h_n (L·D, B, H).
    """

    cell_name = "gru"
