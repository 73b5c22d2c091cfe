"""The delayed-recall task, the comparison's report, and ``rnnlab diagnose`` end to end (tiny)."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import save_file

import rnnlab
from rnnlab.cli.main import main
from rnnlab.config import from_dict, load_toml
from rnnlab.diagnostics.compare import preset, run_compare
from rnnlab.diagnostics.inspect import DiagnoseConfig, _layer_from_config, layers_from_state_dict
from rnnlab.diagnostics.recall import RecallModel, make_layer, recall_batch


def test_recall_batch_puts_the_symbol_first_and_the_query_last():
    x, y = recall_batch(5, 4, torch.Generator().manual_seed(0), num_symbols=3, num_distractors=2)
    assert x.shape == (6, 4, 6) and y.shape == (4,)
    tokens = x.argmax(-1)
    assert torch.equal(tokens[0], y)  # the symbol at t = 0 is the target
    assert torch.all((tokens[1:-1] >= 3) & (tokens[1:-1] < 5))  # distractors only
    assert torch.all(tokens[-1] == 5)  # the query
    with pytest.raises(ValueError, match="expected distance >= 1"):
        recall_batch(0, 1, torch.Generator())


def test_forget_bias_sets_the_lstm_forget_and_gru_update_gate_biases():
    lstm, gru = make_layer("lstm", 5, 4, 3.0), make_layer("gru", 5, 4, 3.0)
    for layer in (lstm, gru):  # b_ih = 3, b_hh = 0 on the gate block 1 (LSTM f, GRU z)
        torch.testing.assert_close(layer.bias_ih_l0[4:8], torch.full((4,), 3.0))
        torch.testing.assert_close(layer.bias_hh_l0[4:8], torch.zeros(4))
    assert make_layer("elman-tanh", 5, 4, 3.0).forget_bias is None  # no gate: left alone
    with pytest.raises(ValueError, match="unknown cell 'transformer'"):
        make_layer("transformer", 5, 4, 0.0)
    assert RecallModel("elman-sigmoid", 3, 2, 4)(torch.zeros(7, 2, 6)).shape == (2, 3)


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


def test_layers_rebuilt_from_a_state_dict_compute_the_same_function():
    lstm = rnnlab.LSTM(3, 4, num_layers=2)
    sd = {f"model.rnn.{k}": v for k, v in lstm.state_dict().items()}
    sd["model.head.weight"] = torch.zeros(2, 4)
    rebuilt = layers_from_state_dict(sd)
    assert list(rebuilt) == ["model.rnn"]
    x = torch.randn(5, 2, 3)
    torch.testing.assert_close(rebuilt["model.rnn"](x)[0], lstm(x)[0])
    sigmoid = rnnlab.RNN(3, 4, nonlinearity="sigmoid")
    sd = {f"rnn.{k}": v for k, v in sigmoid.state_dict().items()}
    assert layers_from_state_dict(sd)["rnn"].spec.name == "elman-tanh"  # G = 1, no config
    rebuilt = layers_from_state_dict(sd, cell="elman-sigmoid")["rnn"]  # the run's config.toml
    torch.testing.assert_close(rebuilt(x)[0], sigmoid(x)[0])
    with pytest.raises(ValueError, match="expected 1, 3 or 4 gate blocks"):
        layers_from_state_dict({"weight_hh_l0": torch.zeros(8, 4),
                                "weight_ih_l0": torch.zeros(8, 3)})


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
    run.mkdir()
    gru = rnnlab.GRU(4, 6)
    tensors = {f"rnn.{k}": v.contiguous() for k, v in gru.state_dict().items()}
    tensors["embedding.weight"] = torch.randn(10, 4)
    save_file(tensors, str(run / "model.safetensors"))
    norms = [1.0] * 30 + [40.0] + [1.0] * 5
    lines = [json.dumps({"step": i + 1, "grad_norm": n, "grad_norm/rnn.weight_hh_l0": n / 2,
                         "grad_norm/rnn.weight_ih_l0": n / 2, "saturation/rnn.l0.z": 0.25})
             for i, n in enumerate(norms)]
    (run / "metrics.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["diagnose", "gradients", str(run), "--length", "8", "--batch-size", "2"]) == 0
    text = capsys.readouterr().out
    assert "Layer `rnn`" in text and "1 exploding events" in text and "| rnn.l0 |" in text
    assert "rnn.l0.z: 0.25" in text
    assert (run / "diagnostics" / "grad_norm_history.png").is_file()


def test_cli_diagnose_errors_are_clear(tmp_path, capsys):
    assert main(["diagnose", "gradients", str(tmp_path / "missing")]) == 2
    assert "expected a run directory or a config file" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["diagnose", "gradients", str(tmp_path / "empty")]) == 2
    assert "found neither" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text('[model]\ncell = "lstm"\nhiden_size = 3\n', encoding="utf-8")
    assert main(["diagnose", "gradients", str(bad)]) == 2
    assert "unknown field(s) ['hiden_size']" in capsys.readouterr().err


def test_demo_section_draws_the_gradient_flow_picture(tmp_path, capsys):
    from rnnlab.diagnostics.demo import section

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
