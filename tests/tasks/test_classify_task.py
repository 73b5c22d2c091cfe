"""The classify task: splits by distinct text, training and report, predict, LM transfer."""

from __future__ import annotations

import json
import random

import pytest
import torch

from rnnlab.data.text import load_tokenizer
from rnnlab.tasks import resolve_config, train
from rnnlab.tasks.classify import (
    build,
    evaluate_loaded,
    load_classifier,
    predict_texts,
    read_splits,
)

POS = ["bom", "ótimo", "lindo", "feliz", "amo"]
NEG = ["ruim", "péssimo", "feio", "triste", "odeio"]
FILL = ["o", "dia", "foi", "muito", "hoje", "filme", "isso"]


def write_csv(path, n=160, seed=0):
    rng = random.Random(seed)
    rows = ["text,label"]
    for i in range(n):
        label = "pos" if i % 2 else "neg"
        words = [*rng.sample(FILL, 3), rng.choice(POS if label == "pos" else NEG)]
        rng.shuffle(words)
        rows.append(f"{' '.join(words)},{label}")
    rows += ["o dia foi bom,pos", "o dia foi bom,pos", "isso foi bom,pos", "isso foi bom,neg"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def config(path, **model):
    return {"data": {"path": str(path), "level": "word", "batch_size": 16},
            "model": {"embedding_size": 8, "hidden_size": 8, **model},
            "train": {"epochs": 3, "lr": 0.02, "progress": False}}


def test_train_report_and_predict(tmp_path):
    data = write_csv(tmp_path / "d.csv")
    splits = read_splits(resolve_config(config(data), kind="classify")["data"])
    texts = {s: set(t) for s, t in splits.texts.items()}
    assert not texts["train"] & texts["valid"] and not texts["train"] & texts["test"]
    assert not texts["valid"] & texts["test"]  # never one text in two splits
    d = splits.summary["distinct"]
    assert d["conflicts"] == 1 and d["duplicate_rows"] >= 2 and splits.summary[
        "in_two_splits"] == 0
    result = train(config(data, pooling="attention"), tmp_path / "run", kind="classify")
    run = tmp_path / "run"
    report = (run / "report.md").read_text()
    assert "majority class" in report and "conflicting labels" in report
    assert (run / "plots" / "confusion_test.png").stat().st_size > 1000
    assert json.loads((run / "labels.json").read_text()) == ["neg", "pos"]
    assert result.report["test"].accuracy > result.report["test"].majority_accuracy
    loaded = load_classifier(run)
    (good, bad) = predict_texts(loaded, ["que dia lindo", "que filme péssimo"], k=2)
    assert good.top[0][0] == "pos" and bad.top[0][0] == "neg"
    assert sum(p for _, p in good.top) == pytest.approx(1.0, abs=1e-5)
    assert len(good.attention) == 3 and sum(good.attention) == pytest.approx(1.0, abs=1e-5)
    with pytest.raises(ValueError, match="text 2 is empty"):
        predict_texts(loaded, ["bom", "  "])
    other = tmp_path / "other.csv"
    other.write_text("text,label\nbom dia,pos\nmeh,neutral\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"other.csv:row 3: label 'neutral' was not seen"):
        evaluate_loaded(loaded, data_path=str(other))


def train_tiny_lm(tmp_path, **model):
    rng = random.Random(1)
    lines = [" ".join(rng.sample(FILL + POS + NEG, 5)) for _ in range(200)]
    (tmp_path / "lm.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    lm = {"data": {"path": str(tmp_path / "lm.txt"), "valid_fraction": 0.1, "batch_size": 4,
                   "bptt": 8},
          "model": {"embedding_size": 8, "hidden_size": 8, "num_layers": 1, **model},
          "train": {"epochs": 1, "progress": False}}
    train(lm, tmp_path / "lm", kind="lm")
    return tmp_path / "lm"


def test_transfer_copies_embeddings_by_token_and_the_layers(tmp_path):
    from rnnlab.tasks.lm import load_lm

    lm_dir = train_tiny_lm(tmp_path)
    data = write_csv(tmp_path / "d.csv")
    raw = {**config(data), "transfer": {"from_lm": str(lm_dir), "unfreeze": "gradual",
                                        "lr_decay": 2.6}}
    task = build(resolve_config(raw, kind="classify"), tmp_path / "run")
    lm = load_lm(lm_dir)
    summary = json.loads((tmp_path / "run" / "data_summary.json").read_text())["transfer"]
    tok = load_tokenizer(tmp_path / "run" / "tokenizer.json")
    found = [w for w in tok.vocab if w in lm.tokenizer.index]
    assert summary["types_found"] == len(found) and 0 < summary["type_coverage"] <= 1
    for word in found:
        torch.testing.assert_close(task.model.embedding.weight[tok.index[word]],
                                   lm.model.embedding.weight[lm.tokenizer.index[word]])
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        torch.testing.assert_close(getattr(task.model.encoder.rnn.cells[0], name),
                                   getattr(lm.model.layers[0].cells[0], name))
    scales = [g["lr_scale"] for g in task.model.param_groups()]
    assert scales == pytest.approx([2.6 ** -2, 2.6 ** -1, 1.0])
    # gradual unfreezing: epoch 0 trains the head only, epoch 2 everything
    task.model.train()
    for epoch, frozen in ((0, True), (2, False)):
        task.model.zero_grad(set_to_none=True)
        task.step(task.batches("train", epoch)[0], None).loss.backward()
        assert (task.model.embedding.weight.grad is None) is frozen
        assert (task.model.encoder.rnn.cells[0].weight_hh.grad is None) is frozen
        assert task.model.head.weight.grad is not None
    raw["model"]["hidden_size"] = 6
    with pytest.raises(ValueError, match=r"hidden_size 6 vs the LM's layer sizes \[8\]"):
        build(resolve_config(raw, kind="classify"), tmp_path / "run2")
    raw["transfer"]["from_lm"] = str(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="not a run directory"):
        resolve_config(raw, kind="classify")


def test_resume_keeps_the_run_vocabulary_and_classes(tmp_path):
    from rnnlab.tasks import resume

    data = write_csv(tmp_path / "d.csv")
    raw = config(data)
    raw["train"]["epochs"] = 1
    train(raw, tmp_path / "run", kind="classify")
    vocab = (tmp_path / "run" / "tokenizer.json").read_text()
    result = resume(tmp_path / "run", overrides=["train.epochs=2"])
    assert result.summary["epochs"] == 2 and "test" in result.report
    assert (tmp_path / "run" / "tokenizer.json").read_text() == vocab
    write_csv(data, seed=1).write_text(data.read_text() + "x y z,maybe\n", encoding="utf-8")
    with pytest.raises(ValueError, match="resume with the data it was trained on"):
        resume(tmp_path / "run", overrides=["train.epochs=3"])
