"""The ngram task: counted through the one recipe, scored on the lm task's own predictions."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
import torch

from rnnlab.evaluation.agreement import AgreementItem, agreement_accuracy
from rnnlab.evaluation.language import evaluate_counts_stream, evaluate_stream
from rnnlab.models.ngram import KneserNeyLM
from rnnlab.tasks import train
from rnnlab.tasks.ngram import evaluate_run
from rnnlab.training.metrics import read_metrics

NOUNS = [("carro", "carros"), ("gato", "gatos"), ("avião", "aviões")]
VERBS = [("anda", "andam"), ("é", "são")]


def _corpus(folder, seed=0):
    """Sentences whose article, noun and verb agree in number: context predicts a lot."""
    rng = random.Random(seed)
    folder.mkdir()
    for split, lines in (("train", 300), ("valid", 40), ("test", 40)):
        text = ""
        for _ in range(lines):
            n = rng.randrange(2)
            text += f"{['o', 'os'][n]} {rng.choice(NOUNS)[n]} {rng.choice(VERBS)[n]} .\n"
        (folder / f"{split}.txt").write_text(text, encoding="utf-8")
    return folder


def test_ngram_run_counts_saves_and_reports(tmp_path):
    corpus = _corpus(tmp_path / "corpus")
    config = {"task": {"kind": "ngram"}, "data": {"path": str(corpus), "eval_batch_size": 4},
              "model": {"order": 3}}
    result = train(config, tmp_path / "run")
    run = tmp_path / "run"
    assert {"config.toml", "tokenizer.json", "ngram.safetensors", "ngram.json", "report.md",
            "metrics.jsonl"} <= {p.name for p in run.iterdir()}
    assert result.summary["stopped"] == "completed" and result.summary["steps"] == 0
    valid, test = result.report
    assert valid.model.perplexity < valid.unigram.perplexity  # context helps on this text
    assert "3-gram" in (run / "report.md").read_text(encoding="utf-8")
    [record] = read_metrics(run)
    assert record["split"] == "valid" and record["loss"] == pytest.approx(valid.model.loss)
    again = evaluate_run(run, "test")  # from the run directory alone
    assert again.model == test.model
    assert json.loads((run / "ngram.json").read_text())["order"] == 3


def test_counts_stream_scores_exactly_the_predictions_evaluate_stream_scores():
    ids = np.random.default_rng(0).integers(0, 9, size=103)
    model = KneserNeyLM.fit(ids, 9)

    class Logits(torch.nn.Module):  # the n-gram's distributions as a torch model's logits
        def __init__(self):
            super().__init__()
            self.dummy = torch.nn.Parameter(torch.zeros(1))

        def forward(self, x, state=None):  # x (T, B); state: the tokens read so far
            seen = x if state is None else torch.cat([state, x])
            logits = torch.empty(*x.shape, 9, dtype=torch.float64)
            for b in range(x.shape[1]):
                for t in range(x.shape[0]):
                    context = seen[: len(seen) - len(x) + t + 1, b].tolist()
                    logits[t, b] = torch.from_numpy(np.log(model.distribution(context)))
            return logits, seen

    expected = evaluate_stream(Logits(), ids, batch_size=4, bptt=5)
    got = evaluate_counts_stream(model, ids, batch_size=4)
    assert got.tokens == expected.tokens == 4 * (103 // 4 - 1)
    assert got.loss == pytest.approx(expected.loss, rel=1e-12)


def test_agreement_probe_scores_a_counts_model():
    class Tok:
        def __init__(self):
            self.eos_id, self.unk_id = 0, 1
            self.index = {"<eos>": 0, "<unk>": 1, "the": 2, "dog": 3, "dogs": 4, "runs": 5,
                          "run": 6}

    stream = [0, 2, 3, 5, 0, 2, 4, 6] * 30
    model = KneserNeyLM.fit(stream, 7)
    items = [AgreementItem(("the", "dog"), "runs", "run", 0),
             AgreementItem(("the", "dogs"), "run", "runs", 0),
             AgreementItem(("the", "cat"), "runs", "run", 1),
             AgreementItem(("the", "dog"), "barks", "bark", 0)]  # unknown forms: skipped
    result = agreement_accuracy(model, Tok(), items)
    assert (result.total, result.skipped) == (3, 1)
    assert result.by_attractors[0] == [2, 2]  # the two it has counts for, right
