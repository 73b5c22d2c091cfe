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


def test_any_task_whose_model_reads_through_an_encoder_can_be_compared(tmp_path):
    """A task defined outside rnnlab (here: the sign of a sequence's sum) gets the same
    comparison: its config inherits EncoderConfig, its kind rebuilds its model."""
    from dataclasses import dataclass

    import torch

    from rnnlab.models.encoders import EncoderConfig, build_encoder
    from rnnlab.tasks import ConfigSchema, TaskKind, register_task
    from rnnlab.tasks.compare import compare
    from rnnlab.tasks.registry import _KINDS
    from rnnlab.training import StepResult, load_weights

    @dataclass(frozen=True)
    class SignConfig(EncoderConfig):
        hidden_size: int = 8  # D

    class SignModel(torch.nn.Module):
        def __init__(self, config):
            super().__init__()
            self.encoder = build_encoder(config, 1)
            self.head = torch.nn.Linear(self.encoder.output_size, 2)

        def forward(self, x):  # (T, B, 1) -> (B, 2), read at the last step
            return self.head(self.encoder(x)[0][-1])

    class SignTask:
        def __init__(self, config, run_dir):
            self.model = SignModel(config["model"])
            g = torch.Generator().manual_seed(0)
            self.data = [torch.randn(6, 16, 1, generator=g) for _ in range(4)]

        def batches(self, split, epoch):
            return self.data[:3] if split == "train" else self.data[3:]

        def step(self, x, state):
            y = (x.sum(0)[:, 0] > 0).long()
            return StepResult(torch.nn.functional.cross_entropy(self.model(x), y), items=16)

        def eval_metrics(self, mean_loss):
            return {"half": mean_loss / 2}

    def load_model(run_dir, which):
        from rnnlab.tasks import load_run_config

        model = SignModel(load_run_config(run_dir)["model"])
        load_weights(model, run_dir, which)
        return model

    register_task(TaskKind(ConfigSchema("sign", {"model": SignConfig}), SignTask,
                           load_model=load_model))
    try:
        spec = CompareSpec("sign", ("gru", "mlp"), Budget(steps=2),
                           overrides=("train.progress=false",))
        compare(spec, tmp_path / "cmp")
    finally:
        del _KINDS["sign"]
    rows = json.loads((tmp_path / "cmp" / "compare.json").read_text())["models"]
    assert [r["name"] for r in rows] == ["gru", "mlp"]
    assert all(r["steps"] == 2 and r["params"] > 0 and "valid half" in r["scores"] for r in rows)
    with pytest.raises(ValueError, match="does not read its input through an encoder"):
        run_configs(CompareSpec("recall", ("gru",)))


def test_compare_classify_and_tag_report_valid_and_test_scores(tmp_path):
    """The BiLSTM against the Transformer encoder on classify and tag: every row has the
    best validation numbers and the test split's from the run's own evaluation."""
    rng = random.Random(0)
    words = ["good", "bad", "the", "film", "was", "very"]
    rows = ["text,label"] + [f"{' '.join(rng.sample(words, 4))},{i % 2}" for i in range(60)]
    (tmp_path / "c.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    conll = tmp_path / "pos"
    conll.mkdir()
    for split, n in (("train", 40), ("dev", 8), ("test", 8)):
        sentences = ["\n".join(f"{w} {'D' if w == 'the' else 'N'}"
                               for w in rng.sample(words, 4)) for _ in range(n)]
        (conll / f"{split}.conll").write_text("\n\n".join(sentences) + "\n", encoding="utf-8")
    shared = ["--models", "lstm,transformer", "--budget", "2steps", "--hidden-size", "8",
              "--quiet", "--set", "model.embedding_size=8", "--set", "model.bidirectional=true",
              "--set", "transformer:model.num_heads=2", "--set", "data.batch_size=8"]
    for task, data, metrics in (("classify", "c.csv", {"accuracy", "macro_f1"}),
                                ("tag", "pos", {"accuracy"})):
        out = tmp_path / task
        extra = ["--set", "data.level=word"] if task == "classify" else []
        assert main(["compare", task, "--data", str(tmp_path / data), "--run-dir", str(out),
                     *shared, *extra]) == 0
        rows = json.loads((out / "compare.json").read_text())["models"]
        assert [r["name"] for r in rows] == ["lstm", "transformer"]
        for row in rows:
            assert row["steps"] == 2 and row["params"] > 0
            assert row["what"].endswith("bidirectional")
            assert {f"test {m}" for m in metrics} <= set(row["scores"])
            assert "valid loss" in row["scores"]
            assert 0.0 <= row["scores"]["test accuracy"] <= 1.0
        assert "test accuracy" in (out / "compare.md").read_text()
