"""The delayed-recall task: its batches, its model, and a cell registered in a test trained
through the one recipe (adding a cell = one file of equations + one registry entry)."""

from __future__ import annotations

import pytest
import torch

from rnnlab.cells.spec import CELLS, CellSpec, register_cell
from rnnlab.tasks import resolve_config, train
from rnnlab.tasks.recall import RecallModel, RecallModelConfig, load_model, recall_batch
from rnnlab.training import read_metrics


def test_recall_batch_puts_the_symbol_first_and_the_query_last():
    x, y = recall_batch(5, 4, torch.Generator().manual_seed(0), num_symbols=3, num_distractors=2)
    assert x.shape == (6, 4, 6) and y.shape == (4,)
    tokens = x.argmax(-1)
    assert torch.equal(tokens[0], y)  # the symbol at t = 0 is the target
    assert torch.all((tokens[1:-1] >= 3) & (tokens[1:-1] < 5))  # distractors only
    assert torch.all(tokens[-1] == 5)  # the query
    with pytest.raises(ValueError, match="expected distance >= 1"):
        recall_batch(0, 1, torch.Generator())


def test_the_model_config_is_checked_and_forget_bias_reaches_the_gate():
    model = RecallModel(RecallModelConfig(cell="gru", hidden_size=4, forget_bias=3.0), 3, 2)
    torch.testing.assert_close(model.rnn.bias_ih_l0[4:8], torch.full((4,), 3.0))  # z: block 1
    torch.testing.assert_close(model.rnn.bias_hh_l0[4:8], torch.zeros(4))
    assert model(torch.zeros(7, 2, 6)).shape == (2, 3)
    with pytest.raises(ValueError, match="has none"):
        RecallModelConfig(cell="elman-sigmoid", forget_bias=1.0)
    with pytest.raises(ValueError, match="unknown cell 'transformer'"):
        resolve_config({"task": {"kind": "recall"}, "model": {"cell": "transformer"}})


def _mgu_gates(x, h_prev, *, weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """Minimal gated unit (Zhou et al. 2016): f_t = σ(…), n_t = tanh(W x + U (f_t ⊙ h_{t-1}))."""
    a_f, a_n = torch.nn.functional.linear(x, weight_ih, bias_ih).chunk(2, dim=-1)
    u_f, _ = torch.nn.functional.linear(h_prev, weight_hh, bias_hh).chunk(2, dim=-1)
    f = torch.sigmoid(a_f + u_f)
    w_n = weight_hh.chunk(2, dim=0)[1]
    b_n = None if bias_hh is None else bias_hh.chunk(2)[1]
    n = torch.tanh(a_n + torch.nn.functional.linear(f * h_prev, w_n, b_n))
    return {"f": f, "n": n}


def _mgu_step(x, h_prev, **weights):
    q = _mgu_gates(x, h_prev, **weights)
    h = (1 - q["f"]) * h_prev + q["f"] * q["n"]  # h_t = (1 − f_t) ⊙ h_{t-1} + f_t ⊙ n_t
    return h, h


def test_a_cell_registered_in_a_test_trains_through_a_task(tmp_path):
    spec = register_cell(CellSpec(name="test-mgu", gate_names=("f", "n"), state_names=("h",),
                                  step=_mgu_step, gates=_mgu_gates, forget_gate="f"))
    try:
        config = {"task": {"kind": "recall"}, "recall": {"distance": 2, "batches_per_epoch": 40},
                  "model": {"cell": spec.name, "hidden_size": 8, "forget_bias": 1.0},
                  "train": {"lr": 0.02, "seed": 0}}
        result = train(config, tmp_path / "run")
        losses = [r["loss"] for r in read_metrics(tmp_path / "run") if r["split"] == "train"]
        assert result.summary["steps"] == 40 and losses[-1] < 0.8 * losses[0]  # it learns
        model = load_model(tmp_path / "run", "last")  # rebuilt from the run directory alone
        assert model.rnn.spec is spec and model.rnn.backend_used == "explicit"
        assert 'cell = "test-mgu"' in (tmp_path / "run" / "config.toml").read_text()
    finally:
        del CELLS[spec.name]
