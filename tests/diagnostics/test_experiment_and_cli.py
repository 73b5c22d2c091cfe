"""The comparison's report (trained through the one recipe) and ``rnnlab diagnose`` end to end
(tiny): run directories are rebuilt through their task and probed as the model runs."""

from __future__ import annotations

import json

import pytest
import torch

from rnnlab.cli.main import main
from rnnlab.config import from_dict, load_toml
from rnnlab.diagnostics.compare import preset, run_compare
from rnnlab.diagnostics.inspect import (
    DiagnoseConfig,
    _layer_from_config,
    layers_as_they_run,
    probe_batch,
)
from rnnlab.models.language_model import LanguageModel, LMConfig
from rnnlab.tasks import train


def test_compare_writes_a_report_with_tables_and_pictures(tmp_path):
    config = preset("quick", cells=("elman-tanh", "gru"), distances=(2, 4), seeds=(0,),
                    clip_norms=(0.0, 1.0), steps=3, eval_size=16, probe_size=4)
    summary = run_compare(config, tmp_path)
    assert len(summary["runs"]) == 8
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "| elman-tanh |" in report and "d = 4" in report
    for png in ("accuracy_vs_distance_clip0.png", "accuracy_vs_distance_clip1.png",
                "grad_at_symbol_vs_distance.png", "gradient_flow_init.png",
                "jacobian_products_init.png", "grad_norm_history.png", "activations_gru.png"):
        assert (tmp_path / png).stat().st_size > 1000, png
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    run = results["runs"][0]
    assert 0 <= run["accuracy"] <= 1 and len(run["flow_init"]) == run["distance"] + 2
    d = run["distance"]  # T = d + 1 steps: index d is the state that has just read the symbol
    assert run["attenuation_init"] == pytest.approx(run["flow_init"][d] / run["flow_init"][0])
    with pytest.raises(ValueError, match="expected cells from"):
        run_compare(preset("quick", cells=("bogus",)), tmp_path)
    with pytest.raises(ValueError, match="expected preset in"):
        preset("huge")


def test_each_layer_of_a_stack_is_probed_with_what_it_receives():
    """Layer 1 of a 2-layer LM gets layer 0's output (it used to get embedding rows)."""
    model = LanguageModel(LMConfig(cell="gru", embedding_size=6, hidden_size=5, num_layers=2), 11)
    inputs, what = probe_batch(model, 7, 3, seed=0)
    received = layers_as_they_run(model, inputs)
    # each layer is an rnn encoder around its Recurrent layer (models/encoders.py)
    assert list(received) == ["layers.0.rnn", "layers.1.rnn"] and "random token ids" in what
    with torch.no_grad():
        embedded = model.embedding(inputs[0])  # (T, B, E)
        below, _ = model.layers[0](embedded)
    torch.testing.assert_close(received["layers.0.rnn"], embedded)
    torch.testing.assert_close(received["layers.1.rnn"], below)  # H = 5 inputs, not E = 6
    with pytest.raises(ValueError, match="no probe input for a Linear"):
        probe_batch(torch.nn.Linear(2, 2), 3, 2, 0)


def test_cli_diagnose_gradients_on_a_config(tmp_path, capsys):
    config = tmp_path / "layer.toml"
    config.write_text('[model]\ncell = "elman-sigmoid"\ninput_size = 3\nhidden_size = 5\n'
                      "[probe]\nlength = 12\nbatch_size = 2\n", encoding="utf-8")
    assert main(["diagnose", "gradients", str(config), "--out", str(tmp_path / "out")]) == 0
    text = capsys.readouterr().out
    assert "γ=0.25" in text and "(exact)" in text
    assert (tmp_path / "out" / "gradient_flow_rnn.png").is_file()


def test_a_config_stack_gets_its_forget_bias_in_every_layer(tmp_path, capsys):
    """A [model] with num_layers > 1 used to be rebuilt without its forget_bias."""
    config = tmp_path / "layer.toml"
    config.write_text('[model]\ncell = "lstm"\ninput_size = 3\nhidden_size = 4\nnum_layers = 2\n'
                      "forget_bias = 3.0\n[probe]\nlength = 6\nbatch_size = 2\n",
                      encoding="utf-8")
    layer = _layer_from_config(from_dict(DiagnoseConfig, load_toml(config)).model)
    assert layer.num_layers == 2
    for sfx in ("_l0", "_l1"):
        assert torch.equal(getattr(layer, "bias_ih" + sfx)[4:8], torch.full((4,), 3.0))
        assert torch.equal(getattr(layer, "bias_hh" + sfx)[4:8], torch.zeros(4))
    assert main(["diagnose", "gradients", str(config), "--out", str(tmp_path / "out")]) == 0
    assert "L = 2" in capsys.readouterr().out
    config.write_text('[model]\ncell = "elman-tanh"\nforget_bias = 3.0\n', encoding="utf-8")
    assert main(["diagnose", "gradients", str(config), "--out", str(tmp_path / "out")]) == 2
    assert "cell 'elman-tanh' has none" in capsys.readouterr().err


def test_cli_diagnose_gradients_on_a_run_directory(tmp_path, capsys):
    run = tmp_path / "run"
    train({"task": {"kind": "recall"}, "recall": {"distance": 4, "batches_per_epoch": 30},
           "model": {"cell": "gru", "hidden_size": 6}}, run)
    norms = [1.0] * 30 + [40.0] + [1.0] * 5  # a history with one spike, the trainer's records
    lines = [json.dumps({"step": i + 1, "split": "train", "grad_norm": n,
                         "grad_norm/rnn.cells.0.weight_hh": n / 2,
                         "grad_norm/rnn.cells.0.weight_ih": n / 2, "saturation/rnn.l0.z": 0.25})
             for i, n in enumerate(norms)]
    (run / "metrics.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["diagnose", "gradients", str(run), "--length", "8", "--batch-size", "2"]) == 0
    text = capsys.readouterr().out
    assert "recall task, last checkpoint" in text and "Layer `rnn`: Recurrent, cell gru" in text
    assert "what it received inside the model on 2 delayed-recall sequences" in text
    assert "1 exploding events" in text and "rnn.l0.z: 0.25" in text
    assert (run / "diagnostics" / "grad_norm_history.png").is_file()


def test_cli_diagnose_errors_are_clear(tmp_path, capsys):
    assert main(["diagnose", "gradients", str(tmp_path / "missing")]) == 2
    assert "expected a run directory or a config file" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["diagnose", "gradients", str(tmp_path / "empty")]) == 2
    assert "is not a run directory: no config.toml" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text('[model]\ncell = "lstm"\nhiden_size = 3\n', encoding="utf-8")
    assert main(["diagnose", "gradients", str(bad)]) == 2
    assert "unknown field(s) ['hiden_size']" in capsys.readouterr().err


def test_demo_section_draws_the_gradient_flow_picture(tmp_path, capsys):
    from rnnlab.demo.gradients import section

    section(tmp_path, quick=True)
    assert (tmp_path / "jacobian_products.png").stat().st_size > 1000
    assert "elman-sigmoid" in capsys.readouterr().out


def test_cli_diagnose_compare_maps_flags_onto_the_preset(tmp_path, capsys):
    run = tmp_path / "cmp"
    assert main(["diagnose", "compare", "--run-dir", str(run), "--cells", "lstm",
                 "--distances", "3", "--seeds", "4", "--clip", "0", "--steps", "2",
                 "--hidden-size", "5", "--lr", "0.01", "--forget-bias", "1.5"]) == 0
    assert "[1/1] lstm" in capsys.readouterr().out
    config = (run / "config.toml").read_text(encoding="utf-8")
    for line in ('cells = [\n    "lstm",\n]', "hidden_size = 5", "forget_bias = 1.5",
                 "steps = 2", "lr = 0.01"):
        assert line in config, line
    assert (run / "report.md").is_file()
