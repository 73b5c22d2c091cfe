"""``Recurrent``: the explicit time loop around any cell."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from rnnlab.cells.base import State
from rnnlab.layers.base import SequenceLayer
from rnnlab.layers.loop import Step


class Recurrent(SequenceLayer):
    """Stack ``num_layers`` × D cells and run them over time with the explicit loop.

    ``cell`` is a cell class or any callable ``(input_size, hidden_size) -> cell``
    (use ``functools.partial`` for more arguments). A cell follows the cell
    contract of :mod:`rnnlab.cells.base`: ``cell(x_t, state) -> (h_t, state)``,
    ``init_state(B, device=, dtype=)``, ``hidden_size``. Layer l's cells see
    inputs of size I (l = 0) or D·H; they live in ``self.cells[l·D + d]``.

    Same forward as :class:`RNN`: ``layer(x, state=None, lengths=None)``, state
    stacked to (L·D, B, H) per state tensor. Always the explicit backend.

    Example::

        layer = Recurrent(LSTMCell, 32, 64, num_layers=2)
        out, (h_n, c_n) = layer(x)  # x (T, B, 32) -> out (T, B, 64)
    """

    backend_used = "explicit"

    def __init__(
        self,
        cell: Callable[[int, int], nn.Module],
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        *,
        bidirectional: bool = False,
        dropout: float = 0.0,
        batch_first: bool = False,
    ) -> None:
        super().__init__(
            input_size,
            hidden_size,
            num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            batch_first=batch_first,
        )
        if not callable(cell):
            raise TypeError(f"expected cell to be a cell class or callable, got {cell!r}")
        cells = []
        for layer in range(num_layers):
            for _ in range(self.num_directions):
                made = cell(self.layer_input_size(layer), hidden_size)
                for attr in ("init_state", "hidden_size"):
                    if not hasattr(made, attr):
                        raise TypeError(
                            f"expected cell objects with {attr!r} (the cell contract), "
                            f"got {type(made).__name__} without it"
                        )
                if made.hidden_size != hidden_size:
                    raise ValueError(
                        f"expected cells with hidden_size {hidden_size}, got {made.hidden_size}"
                    )
                cells.append(made)
        self.cells = nn.ModuleList(cells)
        self.state_names = tuple(getattr(cells[0], "state_names", ("h",)))
        self.cell_name = type(cells[0]).__name__

    def step_functions(self) -> list[Step]:
        return list(self.cells)

    def _zero_state(self, k: int, batch_size: int, device: Any, dtype: torch.dtype) -> State:
        return self.cells[k].init_state(batch_size, device=device, dtype=dtype)

    def _param_dtype(self) -> torch.dtype:
        first = next(self.parameters(), None)
        return torch.get_default_dtype() if first is None else first.dtype

    def extra_repr(self) -> str:
        s = f"{self.cell_name}, {self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bidirectional:
            s += ", bidirectional=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.batch_first:
            s += ", batch_first=True"
        return s + ", backend='explicit'"
