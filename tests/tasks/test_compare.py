"""``rnnlab compare``: budgets, model names, per-model overrides, the report end to end."""

from __future__ import annotations

import json
import random

import pytest

from rnnlab.cli.main import main
from rnnlab.tasks.compare import Budget, CompareSpec, model_fields, parse_budget, run_configs

NOUNS = [("writer", "writers"), ("dog", "dogs"), ("car", "cars")]
VERBS = [("is", "are"), ("runs", "run")]


def _corpus(folder):
    """Sentences in which the verb agrees with the subject across an attractor."""
    rng = random.Random(0)
    folder.mkdir()
    for split, lines in (("train", 200), ("valid", 20), ("test", 20)):
        text = ""
        for _ in range(lines):
            n, m = rng.randrange(2), rng.randrange(2)
            noun, other = rng.sample(NOUNS, 2)
            text += f"the {noun[n]} of the {other[m]} {rng.choice(VERBS)[n]} .\n"
        (folder / f"{split}.txt").write_text(text, encoding="utf-8")
    (folder / "probe.text").write_text("the dog of the cars runs .\nthe dogs is .\n")
    (folder / "probe.gold").write_text("5\truns\trun\t1\n2\tare\tis\t0\n")
    return folder


def test_budgets_parse_to_seconds_or_steps():
    assert parse_budget("10m") == Budget(seconds=600.0)
    assert parse_budget("1.5h") == Budget(seconds=5400.0)
    assert parse_budget("90s").describe() == "90 s of wall clock"
    assert parse_budget("500steps") == Budget(steps=500)
    assert parse_budget("cpu:2m") == Budget(seconds=120.0, cpu=True)
    assert parse_budget("cpu:2m").train_field == "max_cpu_seconds"
    for bad in ("10", "ten minutes", "0s", "2.5steps", "cpu:5steps"):
        with pytest.raises(ValueError, match="--budget"):
            parse_budget(bad)


def test_model_names():
    assert model_fields("lm", "elman") == ("lm", {"encoder": "rnn", "cell": "elman-tanh"})
    assert model_fields("lm", "gru") == ("lm", {"encoder": "rnn", "cell": "gru"})
    assert model_fields("forecast", "cnn") == ("forecast", {"encoder": "cnn"})
    assert model_fields("lm", "ngram3") == ("ngram", {"order": 3})
    with pytest.raises(ValueError, match="is a language model"):
        model_fields("forecast", "ngram")
    with pytest.raises(ValueError, match="unknown model 'bert'"):
        model_fields("lm", "bert")


def test_configs_share_the_budget_and_take_per_model_overrides():
    spec = CompareSpec("lm", ("lstm", "transformer", "ngram"), Budget(seconds=30),
                       {"data": {"path": "x"}, "model": {"hidden_size": 16}},
                       ("train.lr=0.01", "transformer:model.num_heads=2", "data.bptt=9"))
    configs = run_configs(spec)
    lstm, transformer, ngram = configs.values()
    assert lstm.train.max_seconds == transformer.train.max_seconds == 30
    assert lstm.train.lr == transformer.train.lr == 0.01
    assert transformer["model"].num_heads == 2 and lstm["model"].num_heads == 4
    assert ngram.kind == "ngram" and ngram["data"].bptt == 9 and ngram["model"].order == 5
    with pytest.raises(ValueError, match="model 'transformer'.*divisible"):
        run_configs(CompareSpec("lm", ("transformer",), overrides=("model.hidden_size=10",)))
    with pytest.raises(ValueError, match="not compared: \\['gru'\\]"):
        run_configs(CompareSpec("lm", ("lstm",), overrides=("gru:train.lr=1",)))


def test_compare_lm_end_to_end(tmp_path, capsys):
    corpus = _corpus(tmp_path / "corpus")
    out = tmp_path / "cmp"
    argv = ["compare", "lm", "--data", str(corpus), "--models", "lstm,transformer,ngram3,cnn",
            "--budget", "3steps", "--hidden-size", "16", "--run-dir", str(out), "--quiet",
            "--set", "model.embedding_size=16", "--set", "data.batch_size=4",
            "--set", "data.bptt=8", "--set", "train.eval_every=2",
            "--set", "transformer:model.num_heads=2",
            "--agreement-data", str(corpus / "probe")]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "transformer" in printed and "report:" in printed
    data = json.loads((out / "compare.json").read_text())
    rows = {m["name"]: m for m in data["models"]}
    assert set(rows) == {"lstm", "transformer", "ngram3", "cnn"}
    assert rows["lstm"]["steps"] == 3 and rows["lstm"]["stopped"] == "max_steps"
    assert rows["ngram3"]["steps"] == 0 and rows["ngram3"]["params"] > 0
    assert all(m["params"] > 0 and "test perplexity" in m["scores"] for m in rows.values())
    assert len(rows["lstm"]["curve"]) == 2  # valid at steps 2 and 3 (the end)
    assert rows["cnn"]["agreement"]["scored"] == 2
    report = (out / "compare.md").read_text()
    assert "by number of attractors" in report and (out / "plots" / "compare_curves.png").is_file()
    assert main(argv) == 2  # the runs exist: refused before anything trains again
