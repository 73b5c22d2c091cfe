"""Cells: one time step of a recurrent network, written from its equations.

``spec.py`` is the registry of cell kinds (``elman-tanh``, ``elman-relu``,
``elman-sigmoid``, ``lstm``, ``gru``); the equations live in one file per cell
(``elman.py``, ``lstm.py``, ``gru.py``); :class:`RecurrentCell` is the one
cell module, and ``ElmanCell``/``LSTMCell``/``GRUCell`` its torch.nn-style presets.
"""

from rnnlab.cells.base import RecurrentCell
from rnnlab.cells.presets import ElmanCell, GRUCell, LSTMCell
from rnnlab.cells.spec import CELLS, CellSpec, ExtraParameter, cell_names, get_cell, register_cell
from rnnlab.cells.state import State

__all__ = [
    "CELLS",
    "CellSpec",
    "ElmanCell",
    "ExtraParameter",
    "GRUCell",
    "LSTMCell",
    "RecurrentCell",
    "State",
    "cell_names",
    "get_cell",
    "register_cell",
]
