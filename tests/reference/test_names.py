"""The NumPy engine names its cells with rnnlab's registry names (one vocabulary)."""

from __future__ import annotations

import rnnlab.reference as R
from rnnlab.cells.spec import cell_names


def test_reference_cell_names_are_the_registry_names():
    """Every NumPy cell goes by its registry name, and the five built-in cells are all there
    (a cell registered later, e.g. ln-lstm, needs no NumPy twin to exist)."""
    assert set(R.CELLS) <= set(cell_names())
    assert list(R.CELLS) == cell_names()[:5] == ["elman-tanh", "elman-relu", "elman-sigmoid",
                                                   "lstm", "gru"]


def test_reference_cells_have_the_registry_gate_counts():
    from rnnlab.cells.spec import get_cell

    for name in R.CELLS:
        cell = R.make_cell(name, 2, 3)
        assert cell.gates == get_cell(name).num_gates, name
        assert cell.state_size_factor == len(get_cell(name).state_names), name
