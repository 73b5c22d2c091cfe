"""Cells: one time step of a recurrent network, written from its equations.

The equations live once in :mod:`rnnlab.cells.functional`; the cell modules
hold PyTorch-named parameters and call them.
"""

from rnnlab.cells.base import RecurrentCell, State
from rnnlab.cells.elman import ElmanCell
from rnnlab.cells.gru import GRUCell
from rnnlab.cells.lstm import LSTMCell

__all__ = ["ElmanCell", "GRUCell", "LSTMCell", "RecurrentCell", "State"]
