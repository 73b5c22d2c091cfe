"""The tag task: CoNLL folders with given splits, BiLSTM-CRF training, evaluation, predict."""

from __future__ import annotations

import json
import random

import pytest

from rnnlab.tasks import resolve_config, train
from rnnlab.tasks.tag import evaluate_loaded, load_tagger, predict_sentences, read_tag_splits

PEOPLE = ["Maria", "João", "Pedro", "Ana"]
PLACES = ["Brasília", "Recife", "Lisboa"]
WORDS = ["foi", "para", "ontem", "e", "voltou", "de", "com"]


def sentence(rng):
    tokens, tags = [], []
    for _ in range(3):
        if rng.random() < 0.4:
            tokens += [rng.choice(PEOPLE), "Silva"]
            tags += ["B-PESSOA", "I-PESSOA"]
        elif rng.random() < 0.5:
            tokens.append(rng.choice(PLACES))
            tags.append("B-LOCAL")
        tokens.append(rng.choice(WORDS))
        tags.append("O")
    return tokens, tags


def write_conll(folder, seed=0):
    rng = random.Random(seed)
    folder.mkdir()
    splits = {"train": [sentence(rng) for _ in range(150)],
              "dev": [sentence(rng) for _ in range(20)],
              "test": [sentence(rng) for _ in range(20)]}
    splits["train"].append(splits["test"][0])  # a leak the task must remove from train
    for name, sentences in splits.items():
        text = "\n\n".join("\n".join(f"{w} {t}" for w, t in zip(*s, strict=True))
                           for s in sentences)
        (folder / f"{name}.conll").write_text(text + "\n", encoding="utf-8")
    return folder


def test_tagger_trains_evaluates_and_predicts_spans(tmp_path):
    data = write_conll(tmp_path / "ner")
    raw = {"data": {"path": str(data), "batch_size": 8},
           "model": {"hidden_size": 16, "embedding_size": 16, "char_hidden_size": 8},
           "train": {"epochs": 3, "lr": 0.01, "progress": False}}
    splits = read_tag_splits(resolve_config(raw, kind="tag")["data"])
    assert splits.summary["train_removed_overlap"] >= 1 and splits.summary["in_two_splits"] == 0
    assert splits.tags[0] == "O" and set(splits.tags) == {"O", "B-PESSOA", "I-PESSOA", "B-LOCAL"}
    result = train(raw, tmp_path / "run", kind="tag")
    test = result.report["test"]
    assert test.entities is not None and test.accuracy > 0.8
    assert test.entities.f1 > test.baseline_entities.f1 - 0.2  # near or above the baseline
    assert "most frequent tag" in (tmp_path / "run" / "report.md").read_text()
    assert json.loads((tmp_path / "run" / "tags.json").read_text())[0] == "O"
    loaded = load_tagger(tmp_path / "run")
    (tagged,) = predict_sentences(loaded, ["Ana Silva foi para Recife"])
    assert len(tagged.tags) == 5 and not tagged.tags[0].startswith("I-")  # BIO constraints
    assert "Ana" in tagged.describe()
    bad = tmp_path / "bad.conll"
    bad.write_text("Ana B-PESSOA\nfoi B-EVENTO\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"tag\(s\) \['B-EVENTO'\] were not seen in training"):
        evaluate_loaded(loaded, data_path=str(bad))
    with pytest.raises(ValueError, match="text 1 is empty"):
        predict_sentences(loaded, [" "])
