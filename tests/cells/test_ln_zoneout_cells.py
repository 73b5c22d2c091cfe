"""The LayerNorm LSTM/GRU and zoneout cells: their equations written out, gradcheck, zoneout's
masks (training) and expectation (eval), the zoneout_cell factory, and state-dict names."""

from __future__ import annotations

import re

import pytest
import torch
import torch.nn.functional as F

from rnnlab.cells import RecurrentCell
from rnnlab.cells.spec import CELLS, get_cell, register_cell
from rnnlab.cells.zoneout import zoneout_cell
from rnnlab.layers import Recurrent

NEW = ["ln-lstm", "ln-gru", "zoneout-lstm", "zoneout-gru"]


def ln_blocks(a, G, gain):
    B, GH = a.shape
    return F.layer_norm(a.view(B, G, GH // G), (GH // G,)).view(B, GH) * gain


def test_ln_lstm_is_its_equations():
    cell = RecurrentCell("ln-lstm", 3, 4)
    with torch.no_grad():
        for p in (cell.ln_gain_ih, cell.ln_gain_hh, cell.ln_gain_c, cell.ln_bias_c):
            p.uniform_(0.5, 1.5)
    x, h, c = torch.randn(2, 3), torch.randn(2, 4), torch.randn(2, 4)
    a = (ln_blocks(x @ cell.weight_ih.T, 4, cell.ln_gain_ih) + cell.bias_ih
         + ln_blocks(h @ cell.weight_hh.T, 4, cell.ln_gain_hh) + cell.bias_hh)
    i, f, g, o = a.chunk(4, -1)
    c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    h_new = torch.sigmoid(o) * torch.tanh(F.layer_norm(c_new, (4,), cell.ln_gain_c, cell.ln_bias_c))
    got_h, (_, got_c) = cell(x, (h, c))
    torch.testing.assert_close(got_h, h_new)
    torch.testing.assert_close(got_c, c_new)  # c_t is carried un-normalised


def test_ln_gru_is_its_equations():
    cell = RecurrentCell("ln-gru", 3, 4)
    x, h = torch.randn(2, 3), torch.randn(2, 4)
    a = ln_blocks(x @ cell.weight_ih.T, 3, cell.ln_gain_ih) + cell.bias_ih
    u = ln_blocks(h @ cell.weight_hh.T, 3, cell.ln_gain_hh) + cell.bias_hh
    r, z = torch.sigmoid(a[:, :4] + u[:, :4]), torch.sigmoid(a[:, 4:8] + u[:, 4:8])
    n = torch.tanh(a[:, 8:] + r * u[:, 8:])
    torch.testing.assert_close(cell(x, h)[0], (1 - z) * n + z * h)
    assert set(cell.gates(x, h)) == {"r", "z", "n"}


@pytest.mark.parametrize("name", NEW)
def test_gradcheck_float64(name):
    cell = RecurrentCell(name, 3, 4, dtype=torch.float64)
    x = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    state = [torch.randn(2, 4, dtype=torch.float64, requires_grad=True)
             for _ in cell.state_names]
    names = [n for n, _ in cell.named_parameters()]

    def f(x, *tensors):
        s, params = tensors[: len(state)], tensors[len(state):]
        torch.manual_seed(0)  # zoneout in training: the same masks at every evaluation
        h, new = torch.func.functional_call(cell, dict(zip(names, params, strict=True)),
                                            (x, s if len(s) == 2 else s[0]))
        return (h, *(new if isinstance(new, tuple) else (new,)))

    assert torch.autograd.gradcheck(f, (x, *state, *cell.parameters()), fast_mode=True)


def test_zoneout_keeps_units_in_training_and_is_the_expectation_in_eval():
    torch.manual_seed(0)
    cell, plain = RecurrentCell("zoneout-lstm", 3, 64), RecurrentCell("lstm", 3, 64)
    plain.load_state_dict(cell.state_dict())
    x, h, c = torch.randn(32, 3), torch.randn(32, 64), torch.randn(32, 64)
    h_new, (_, c_new) = cell(x, (h, c))
    kept_c, kept_h = (c_new == c).float().mean(), (h_new == h).float().mean()
    assert 0.45 < kept_c < 0.55 and 0.02 < kept_h < 0.09  # z_c = 0.5, z_h = 0.05
    cell.eval()
    want_h, (_, want_c) = plain(x, (h, c))
    got_h, (_, got_c) = cell(x, (h, c))
    torch.testing.assert_close(got_c, 0.5 * c + 0.5 * want_c)  # d replaced by z
    torch.testing.assert_close(got_h, 0.05 * h + 0.95 * want_h)
    assert torch.equal(cell(x, (h, c))[0], got_h)  # deterministic


def test_zoneout_cell_factory_and_its_checks(monkeypatch):
    monkeypatch.setattr("rnnlab.cells.spec.CELLS", dict(CELLS))
    import rnnlab.cells.spec as spec_module

    spec = register_cell(zoneout_cell(get_cell("ln-lstm"), h=0.1, c=0.3, name="zo-ln"))
    assert spec_module.CELLS["zo-ln"] is spec and spec.zoneout_rates == (0.1, 0.3)
    layer = Recurrent("zo-ln", 3, 4)
    assert layer.backend_used == "sequence"  # the base cell's kernel, zoneout around it
    assert "ln_gain_c_l0" in layer.state_dict()
    with pytest.raises(ValueError, match=re.escape(
            "cell 'zoneout-gru': expected zoneout rates for states ('h',), got ['c']")):
        zoneout_cell(get_cell("gru"), h=0.1, c=0.2)
    with pytest.raises(ValueError, match=re.escape(
            "cell 'zoneout-lstm': expected a zoneout rate in [0, 1) for h, got 1.0")):
        zoneout_cell(get_cell("lstm"), h=1.0)


def test_layer_state_dict_names_and_forget_bias():
    layer = Recurrent("ln-lstm", 3, 4, 2, bidirectional=True, forget_bias=1.0)
    keys = list(layer.state_dict())
    assert keys[:8] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                        "ln_gain_ih_l0", "ln_gain_hh_l0", "ln_gain_c_l0", "ln_bias_c_l0"]
    assert "ln_bias_c_l1_reverse" in keys
    assert torch.equal(layer.bias_ih_l1_reverse[4:8], torch.ones(4))
    assert torch.equal(layer.ln_gain_hh_l0, torch.ones(16))
