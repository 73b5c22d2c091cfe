"""Spectra and bounds, gate saturation (function and Trainer callback), norms and events."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest
import torch

import rnnlab
from rnnlab import training
from rnnlab.diagnostics import (
    GateSaturationCallback,
    exploding_events,
    gate_saturation,
    layer_activations,
    layer_of,
    per_layer_norms,
    read_metrics,
    saturation_fractions,
    spectra,
    spectrum_of,
)


def test_spectrum_and_bound_of_known_matrices():
    W = np.array([[0.0, 2.0], [0.0, 0.5]])  # eigenvalues 0, 0.5; σ_max > 2
    s = spectrum_of(W, "elman-sigmoid")
    assert s.spectral_radius == pytest.approx(0.5)
    assert s.sigma_max == pytest.approx(np.linalg.svd(W, compute_uv=False)[0])
    assert s.bound_base == pytest.approx(0.25 * s.sigma_max)
    np.testing.assert_allclose(s.bound(np.arange(3)), s.bound_base ** np.arange(3))
    gated = spectrum_of(np.vstack([np.eye(2) * k for k in (1, 2, 3, 4)]), "lstm")
    assert gated.cell == "lstm" and "(lstm)" in gated.describe()
    assert gated.bound_base is None and gated.bound([1]) is None
    assert gated.blocks["o"] == pytest.approx((4.0, 4.0)) and "no Elman bound" in gated.describe()
    with pytest.raises(ValueError, match="unknown cell 'sigmoid'.*did you mean 'elman-sigmoid'"):
        spectrum_of(W, "sigmoid")


def test_spectra_per_layer_of_a_stack():
    layer = rnnlab.GRU(3, 5, num_layers=2)
    s = spectra(layer)
    assert [x.layer for x in s] == [0, 1] and set(s[1].blocks) == {"r", "z", "n"}


def test_saturation_fractions_follow_the_documented_thresholds():
    gates = {"f": torch.tensor([0.01, 0.5, 0.96, 0.94]), "g": torch.tensor([-0.99, 0.0, 0.5, 0.97])}
    assert saturation_fractions(gates, "lstm") == {"f": 0.5, "g": 0.5}
    assert saturation_fractions({"h": torch.tensor([0.02, 0.5])}, "elman-sigmoid") == {"h": 0.5}
    assert saturation_fractions({"h": torch.tensor([0.0, 3.0])}, "elman-relu") == {}
    with pytest.raises(ValueError, match="expected 0 < low < high < 1"):
        saturation_fractions(gates, "lstm", low=0.6, high=0.4)


@pytest.mark.parametrize("mode", ["lstm", "gru", "sigmoid"])
def test_layer_activations_reproduce_the_layer_and_count_saturation(mode):
    kw = {"num_layers": 2, "dtype": torch.float64}
    layer = (rnnlab.LSTM(3, 4, **kw) if mode == "lstm" else rnnlab.GRU(3, 4, **kw)
             if mode == "gru" else rnnlab.RNN(3, 4, nonlinearity="sigmoid", **kw))
    x = 3 * torch.randn(6, 2, 3, dtype=torch.float64)
    acts = layer_activations(layer, x)
    out, _ = layer(x)
    torch.testing.assert_close(acts[-1]["hidden"], out, rtol=0, atol=1e-12)
    sat = gate_saturation(layer, x)
    first = next(k for k in acts[0] if k != "hidden")
    a = acts[0][first]
    manual = (a.abs() > 0.95) if first in ("g", "n") else ((a < 0.05) | (a > 0.95))
    assert sat[f"l0.{first}"] == pytest.approx(manual.double().mean().item())
    assert len(sat) == 2 * (len(acts[0]) - 1)


def test_gate_saturation_callback_logs_every_n_steps():
    model = torch.nn.Module()
    model.rnn = rnnlab.LSTM(3, 4)
    trainer = SimpleNamespace(task=SimpleNamespace(model=model))
    callback = GateSaturationCallback(every=2)
    assert callback.on_step_end(trainer, 0, None) is None  # hooks attached, nothing seen yet
    model.rnn(torch.randn(5, 2, 3))
    assert callback.on_step_end(trainer, 1, None) is None  # not a logging step
    logged = callback.on_step_end(trainer, 2, None)
    assert set(logged) == {f"saturation/rnn.l0.{g}" for g in "ifgo"}
    assert all(0.0 <= v <= 1.0 for v in logged.values())


def test_gate_saturation_callback_in_the_real_trainer(tmp_path):
    from rnnlab import training
    from rnnlab.training.task import StepResult

    class Task:
        def __init__(self):
            self.model = torch.nn.Module()
            self.model.rnn = rnnlab.GRU(2, 3)
            self.model.head = torch.nn.Linear(3, 1)

        def batches(self, split, epoch):
            g = torch.Generator().manual_seed(epoch)
            return [torch.randn(4, 2, 2, generator=g) for _ in range(4)]

        def step(self, batch, state):
            out, _ = self.model.rnn(batch)
            return StepResult(loss=self.model.head(out[-1]).pow(2).mean())

        def eval_metrics(self, mean_loss):
            return {}

    config = training.TrainConfig(epochs=1, log_every=1)
    trainer = training.Trainer(Task(), config, tmp_path / "run",
                               callbacks=[GateSaturationCallback(every=2)])
    trainer.fit()
    records = read_metrics(tmp_path / "run" / "metrics.jsonl")
    assert any("saturation/rnn.l0.z" in r for r in records)


def test_exploding_events_and_layer_norms():
    # the trainer's rule: > factor x the median of the previous (up to 100) finite norms,
    # once 20 are known; a non-finite norm is neither an event nor part of the history
    norms = [1.0] * 20 + [50.0] + [1.0] * 5 + [float("nan"), None] + [9.0, 11.0]
    assert exploding_events(norms) == [20, 29]
    assert exploding_events(norms, factor=20.0) == [20]
    assert exploding_events([100.0] + [1.0] * 19 + [100.0]) == [20]  # early spike: no verdict
    assert exploding_events([1.0] * 19 + [100.0]) == []  # 19 norms: no verdict yet
    with pytest.raises(ValueError, match="expected factor > 0"):
        exploding_events(norms, factor=0.0)
    assert layer_of("model.rnn.weight_hh_l1") == "model.rnn.l1"
    assert layer_of("rnn.bias_ih_l0_reverse") == "rnn.l0_reverse"
    assert layer_of("decoder.weight") == "decoder"
    per = per_layer_norms({"rnn.weight_ih_l0": 3.0, "rnn.weight_hh_l0": 4.0, "head.bias": 1.0})
    assert per == {"rnn.l0": pytest.approx(5.0), "head": 1.0}


def test_one_metrics_reader_tolerates_only_a_torn_last_line(tmp_path):
    with pytest.raises(FileNotFoundError, match="metrics file not found"):
        read_metrics(tmp_path / "none.jsonl")
    bad = tmp_path / "m.jsonl"
    bad.write_text(json.dumps({"step": 1}) + "\n{oops\n" + json.dumps({"step": 3}) + "\n",
                   encoding="utf-8")
    with pytest.raises(ValueError, match=r"m.jsonl:2: expected one JSON object a line"):
        read_metrics(bad)
    bad.write_text(json.dumps({"step": 1}) + "\n[2]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"m.jsonl:2: expected a JSON object, got list"):
        read_metrics(bad)
    torn = tmp_path / "run"
    torn.mkdir()
    (torn / "metrics.jsonl").write_bytes(b'{"step": 1}\n\n{"step": 2}\n{"step": 3, "lo\xc3')
    assert read_metrics(torn) == [{"step": 1}, {"step": 2}]  # the crash artefact is dropped
    assert read_metrics is training.read_metrics  # one reader, re-exported
