"""``ElmanCell``, ``LSTMCell``, ``GRUCell``: drop-ins for ``torch.nn.RNNCell/LSTMCell/GRUCell``.

Thin presets of :class:`~rnnlab.cells.base.RecurrentCell` with torch.nn's
signatures; the equations are in ``elman.py``, ``lstm.py`` and ``gru.py``.
"""

from __future__ import annotations

from typing import Any

import torch

from rnnlab.cells.base import RecurrentCell
from rnnlab.cells.checks import check_choice
from rnnlab.cells.elman import NONLINEARITIES


class ElmanCell(RecurrentCell):
    """The Elman cell "elman-{nonlinearity}"; ``nonlinearity="sigmoid"`` is the course notes'."""

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
        check_choice("nonlinearity", nonlinearity, tuple(NONLINEARITIES))
        super().__init__(
            cell=f"elman-{nonlinearity}",
            input_size=input_size,
            hidden_size=hidden_size,
            bias=bias,
            init=init,
            device=device,
            dtype=dtype,
        )
        self.nonlinearity = nonlinearity


class _GatedCell(RecurrentCell):
    """The signature ``torch.nn.LSTMCell`` and ``GRUCell`` share, plus ``forget_bias``."""

    cell_name = ""  # the registry name, set by each preset

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
        super().__init__(
            cell=self.cell_name,
            input_size=input_size,
            hidden_size=hidden_size,
            bias=bias,
            forget_bias=forget_bias,
            init=init,
            device=device,
            dtype=dtype,
        )


class LSTMCell(_GatedCell):
    """The LSTM cell "lstm"; ``forget_bias`` b sets b_if = b, b_hf = 0 (Jozefowicz et al.: 1)."""

    cell_name = "lstm"


class GRUCell(_GatedCell):
    """The GRU cell "gru"; ``forget_bias`` b sets the update gate's b_iz = b, b_hz = 0."""

    cell_name = "gru"
