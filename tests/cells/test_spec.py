"""The cell registry: its names, lookups with did-you-mean, registration, and the spec fields."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import re

import pytest
import torch

from rnnlab.cells import RecurrentCell
from rnnlab.cells.spec import CELLS, CellSpec, ExtraParameter, cell_names, get_cell, register_cell


def raises(exc, text):
    return pytest.raises(exc, match=re.escape(text))


@pytest.fixture
def registry():
    """Lets a test register cells; the registry is restored afterwards."""
    saved = dict(CELLS)
    yield
    CELLS.clear()
    CELLS.update(saved)


def test_the_registered_names_are_the_one_vocabulary():
    assert cell_names() == ["elman-tanh", "elman-relu", "elman-sigmoid", "lstm", "gru",
                            "ln-lstm", "ln-gru", "zoneout-lstm", "zoneout-gru"]
    assert get_cell("lstm") is CELLS["lstm"]
    assert get_cell(CELLS["gru"]) is CELLS["gru"]  # a spec passes through


@pytest.mark.parametrize(
    ("old", "suggestion"),
    [("elman", "elman-tanh"), ("elman_sigmoid", "elman-sigmoid"), ("rnn_relu", "elman-relu"),
     ("LSTM", "lstm")],
)
def test_old_spellings_get_a_did_you_mean(old, suggestion):
    with raises(ValueError, f"unknown cell {old!r}: expected one of elman-tanh, elman-relu, "
                "elman-sigmoid, lstm, gru, ln-lstm, ln-gru, zoneout-lstm, zoneout-gru; "
                f"did you mean {suggestion!r}?"):
        get_cell(old)


def test_unknown_name_without_a_close_match():
    with raises(ValueError, "unknown cell 'transformer': expected one of elman-tanh, elman-relu, "
                "elman-sigmoid, lstm, gru, ln-lstm, ln-gru, zoneout-lstm, zoneout-gru"):
        get_cell("transformer")


@pytest.mark.parametrize(
    ("name", "gates", "states", "forget_index", "fused"),
    [("elman-tanh", ("h",), ("h",), None, "tanh"),
     ("elman-relu", ("h",), ("h",), None, "relu"),
     ("elman-sigmoid", ("h",), ("h",), None, "sigmoid"),
     ("lstm", ("i", "f", "g", "o"), ("h", "c"), 1, "lstm"),
     ("gru", ("r", "z", "n"), ("h",), 1, "gru")],
)
def test_builtin_specs(name, gates, states, forget_index, fused):
    spec = get_cell(name)
    assert (spec.gate_names, spec.state_names, spec.forget_index, spec.fused) == (
        gates, states, forget_index, fused)
    assert spec.num_gates == len(gates) and spec.description


def test_register_refuses_a_taken_name_unless_replace(registry):
    twin = dataclasses.replace(get_cell("gru"), name="gru", fused=None)
    with raises(ValueError, "a cell named 'gru' is already registered; pass replace=True"):
        register_cell(twin)
    assert get_cell("gru").fused == "gru"
    assert register_cell(twin, replace=True) is twin and get_cell("gru") is twin
    with raises(TypeError, "expected a CellSpec, got str"):
        register_cell("gru")


def test_spec_checks_its_fields():
    gru = get_cell("gru")
    with raises(ValueError, "cell 'x': expected forget_gate in ('r', 'z', 'n'), got 'f'"):
        dataclasses.replace(gru, name="x", forget_gate="f")
    with raises(ValueError, "expected gate names and state names starting with 'h'"):
        dataclasses.replace(gru, name="x", state_names=("c", "h"))
    with raises(ValueError, "expected a non-empty cell name, got ''"):
        dataclasses.replace(gru, name="")
    with pytest.raises(TypeError):
        get_cell("elman-tanh").options["nonlinearity"] = "relu"  # options are read-only


def test_specs_survive_copy_and_pickle():
    spec = get_cell("elman-sigmoid")
    assert copy.deepcopy(spec) is spec
    back = pickle.loads(pickle.dumps(spec))
    assert back == spec and back.options["nonlinearity"] == "sigmoid"
    cell = copy.deepcopy(RecurrentCell("lstm", 2, 3))
    assert cell.spec is get_cell("lstm")


def scaled_elman_gates(x, h_prev, *, weight_ih, weight_hh, bias_ih, bias_hh, gain):
    a = x @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh  # (B, H)
    return {"h": torch.tanh(gain * a)}  # h_t = tanh(g ⊙ a_t)


def scaled_elman_step(x, h_prev, **weights):
    h = scaled_elman_gates(x, h_prev, **weights)["h"]
    return h, h


def test_extra_parameters_are_owned_initialised_and_passed_by_name(registry):
    spec = register_cell(CellSpec(
        name="test-gain-elman", gate_names=("h",), state_names=("h",),
        step=scaled_elman_step, gates=scaled_elman_gates,
        extra_parameters=lambda i, h: {"gain": ExtraParameter((h,), torch.nn.init.ones_)},
    ))
    cell = RecurrentCell(spec.name, 3, 4)
    assert list(cell.state_dict()) == ["weight_ih", "weight_hh", "bias_ih", "bias_hh", "gain"]
    assert torch.equal(cell.gain, torch.ones(4)) and cell.extra_names == ("gain",)
    x, h = torch.randn(2, 3), torch.randn(2, 4)
    plain = RecurrentCell("elman-tanh", 3, 4)
    plain.load_state_dict({k: v for k, v in cell.state_dict().items() if k != "gain"})
    torch.testing.assert_close(cell(x, h)[0], plain(x, h)[0])  # g = 1: the tanh Elman cell
    with torch.no_grad():
        cell.gain.fill_(0.5)
    out, _ = cell(x, h)
    torch.testing.assert_close(out, cell.gates(x, h)["h"])
    (g,) = torch.autograd.grad(out.sum(), cell.gain)
    assert g.abs().sum() > 0  # the gradient reaches the extra parameter
