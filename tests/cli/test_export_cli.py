"""ONNX export of trained runs, run on onnxruntime at lengths and batch sizes other than the
export's example (T = 3, B = 2): the test that catches a graph with a frozen time axis (torch
2.13's default exporter does that to nn.LSTM/GRU/RNN). ≤ 1e-5 against PyTorch; the
``--engine onnxruntime`` commands give PyTorch's answers."""

from __future__ import annotations

import json
import random

import numpy as np
import pandas as pd
import pytest
import torch

ort = pytest.importorskip("onnxruntime", reason="the onnx extra is not installed "
                          "(pip install -e '.[onnx]')")
pytest.importorskip("onnx", reason="the onnx extra is not installed (pip install -e '.[onnx]')")

from rnnlab.cli.main import main  # noqa: E402
from rnnlab.tasks.export.engine import ort_session  # noqa: E402
from rnnlab.tasks.forecast.runs import load_run  # noqa: E402
from rnnlab.tasks.lm import load_lm  # noqa: E402

WORDS = ["o", "a", "os", "as", "gato", "gatos", "carro", "carros", "anda", "andam", "é", "são", "."]


@pytest.fixture(scope="module")
def lm_runs(tmp_path_factory):
    """Two tiny two-layer LMs trained one epoch: LSTM (fused) and LayerNorm GRU (not)."""
    root = tmp_path_factory.mktemp("export-lm")
    rng = random.Random(0)
    (root / "corpus").mkdir()
    for split, n in (("train", 200), ("valid", 20), ("test", 20)):
        lines = (" ".join(rng.choice(WORDS) for _ in range(6)) + "\n" for _ in range(n))
        (root / "corpus" / f"{split}.txt").write_text("".join(lines), encoding="utf-8")
    runs = {}
    for cell in ("lstm", "ln-gru"):
        runs[cell] = root / cell
        assert main(["lm", "train", "--run-dir", str(runs[cell]), "--corpus", str(root / "corpus"),
                     "--quiet", "--cell", cell, "--set", "model.embedding_size=12",
                     "--set", "model.hidden_size=12", "--set", "data.batch_size=4",
                     "--set", "data.bptt=8", "--set", "train.epochs=1"]) == 0
        assert main(["export", str(runs[cell])]) == 0
    return runs


def _states(session, batch, rng, lead=()):
    return {i.name: rng.standard_normal((*lead, batch, i.shape[-1])).astype(np.float32)
            for i in session.get_inputs() if i.name.startswith(("h_", "c_"))}


def _torch_state(model, feed, squeeze):
    out, names = [], iter(feed)
    for layer in model.layers:
        parts = [torch.from_numpy(feed[next(names)]) for _ in layer.state_names]
        parts = [p.unsqueeze(0) if squeeze else p for p in parts]
        out.append(tuple(parts) if len(parts) == 2 else parts[0])
    return out


def test_lm_sequence_graph_runs_at_every_length_and_batch(lm_runs):
    run = lm_runs["lstm"]
    folder = run / "export" / "onnx"
    meta = json.loads((folder / "export.json").read_text(encoding="utf-8"))
    assert set(meta["graphs"]) == {"step", "sequence"} and meta["config"]["model"]["cell"] == "lstm"
    assert "gato" in meta["vocabulary"] and (folder / "tokenizer.json").is_file()
    session, model = ort_session(folder / "sequence.onnx"), load_lm(run).model
    rng = np.random.default_rng(0)
    for T, B in ((1, 1), (9, 3), (40, 1)):
        tokens = rng.integers(0, len(meta["vocabulary"]), (T, B))
        feed = _states(session, B, rng, lead=(1,))
        got = session.run(None, {"tokens": tokens, **feed})
        logits, state = model(torch.from_numpy(tokens), _torch_state(model, feed, False))
        want = [logits, *(t for s in state for t in s)]
        for g, w in zip(got, want, strict=True):
            np.testing.assert_allclose(g, w.detach().numpy(), atol=1e-5, rtol=0)


@pytest.mark.parametrize("cell", ["lstm", "ln-gru"])
def test_lm_step_graph_continues_the_state(lm_runs, cell):
    folder = lm_runs[cell] / "export" / "onnx"
    session, model = ort_session(folder / "step.onnx"), load_lm(lm_runs[cell]).model
    rng = np.random.default_rng(1)
    for B in (1, 4):
        feed = _states(session, B, rng)
        state = [tuple(s.unsqueeze(0) for s in part) if isinstance(part, tuple)
                 else part.unsqueeze(0) for part in _torch_state(model, feed, False)]
        for _ in range(3):
            token = rng.integers(0, model.vocab_size, (B,))
            out = session.run(None, {"token": token, **feed})
            logits, state = model(torch.from_numpy(token)[None], state)
            np.testing.assert_allclose(out[0], logits[0].detach().numpy(), atol=1e-5, rtol=0)
            feed = dict(zip(feed, out[1:], strict=True))
    if cell == "ln-gru":  # no fused kernel: no whole-sequence graph (it would freeze T)
        assert not (folder / "sequence.onnx").exists()


def test_generate_on_onnxruntime_equals_pytorch(lm_runs, capsys):
    run = str(lm_runs["ln-gru"])
    outputs = []
    for engine in ("torch", "onnxruntime"):
        assert main(["lm", "generate", run, "o gato", "--temperature", "0.8", "--seed", "3",
                     "--max-tokens", "12", "--engine", engine]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] and len(outputs[0]) > len("o gato ")
    with pytest.raises(SystemExit):
        main(["lm", "generate", run, "--engine", "tensorrt"])


@pytest.mark.parametrize("cell", ["gru", "ln-gru"])
def test_forecaster_graph_and_predict_engine(cell, series_csv, forecast_train_args, tmp_path):
    run = tmp_path / "run"
    assert main(forecast_train_args(series_csv, run, "--cell", cell)) == 0
    tables = []
    for engine in ("torch", "onnxruntime"):  # onnxruntime exports on first use
        out = tmp_path / f"{engine}.csv"
        assert main(["forecast", "predict", str(run), "--data", str(series_csv), "--out",
                     str(out), "--engine", engine]) == 0
        tables.append(pd.read_csv(out))
    np.testing.assert_allclose(tables[0]["temp"], tables[1]["temp"], atol=1e-4)
    folder = run / "export" / "onnx"
    meta = json.loads((folder / "export.json").read_text(encoding="utf-8"))
    assert meta["targets"] == ["temp"] and meta["scaler"] and meta["lookback_fixed"] == (
        cell != "gru")
    session, loaded = ort_session(folder / "forecaster.onnx"), load_run(run)
    lookbacks = (24, 31) if cell == "gru" else (24,)  # fused: native GRU, any window length
    rng = np.random.default_rng(2)
    for L in lookbacks:
        for B in (1, 5):
            x = rng.standard_normal((B, L, loaded.model.shape.input_size)).astype(np.float32)
            known = rng.standard_normal((B, 6, loaded.model.shape.known_size)).astype(np.float32)
            feed = {"x": x, "known": known}
            got = session.run(None, {i.name: feed[i.name] for i in session.get_inputs()})[0]
            want = loaded.model(torch.from_numpy(x), torch.from_numpy(known)).detach().numpy()
            np.testing.assert_allclose(got, want, atol=1e-5, rtol=0)


def test_int8_evaluate_is_close_to_float32(lm_runs, capsys):
    run = str(lm_runs["lstm"])
    perplexities = []
    for extra in ([], ["--quantize", "int8"]):
        assert main(["lm", "evaluate", run, *extra]) == 0
        row = next(line for line in capsys.readouterr().out.splitlines()
                   if line.startswith("model"))
        perplexities.append(float(row.split()[2]))
    assert abs(perplexities[1] - perplexities[0]) < 0.02 * perplexities[0]


def test_export_refuses_what_it_cannot_do(tmp_path, capsys):
    assert main(["export", str(tmp_path)]) == 2
    assert "is not a run directory" in capsys.readouterr().err
