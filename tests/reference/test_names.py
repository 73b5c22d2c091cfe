"""The NumPy engine names its cells with rnnlab's registry names (one vocabulary)."""

from __future__ import annotations

import rnnlab.reference as R
from rnnlab.cells import RecurrentCell
from rnnlab.cells.spec import cell_names


def test_reference_cell_names_are_the_registry_names():
    """Every built-in cell has its NumPy twin under the same name (a cell a user registers
    later needs none)."""
    assert list(R.CELLS) == cell_names() == [
        "elman-tanh", "elman-relu", "elman-sigmoid", "lstm", "gru", "ln-lstm", "ln-gru",
        "zoneout-lstm", "zoneout-gru"]


def test_reference_cells_have_the_registry_gate_counts():
    from rnnlab.cells.spec import get_cell

    for name in R.CELLS:
        cell = R.make_cell(name, 2, 3)
        assert cell.gates == get_cell(name).num_gates, name
        assert cell.state_size_factor == len(get_cell(name).state_names), name
        assert getattr(cell, "rates", ()) == get_cell(name).zoneout_rates, name
        assert set(cell.params) == set(dict(RecurrentCell(name, 2, 3).named_parameters())), name
