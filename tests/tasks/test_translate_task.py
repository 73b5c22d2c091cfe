"""The translate task end to end on a tiny synthetic language: the run directory, the split,
resume, loading, batched = one-by-one decoding, teacher-forcing schedules, config checks."""

from __future__ import annotations

import json
import math
import random

import pytest
import torch

from rnnlab.config import ConfigError
from rnnlab.tasks import resolve_config, resume, train
from rnnlab.tasks.translate import (
    TranslateObjectiveConfig,
    attention_weights,
    evaluate_run,
    load_translator,
    translate,
)
from rnnlab.tasks.translate.task import build

WORDS = ["sun", "moon", "star", "tree", "rock", "fish", "bird", "leaf", "rain", "snow"]


def write_pairs(path, n=240, seed=0):
    """source: 2-6 words; target: each word mapped (sun -> sol …), the same order."""
    rng = random.Random(seed)
    lines = []
    for _ in range(n):
        words = rng.choices(WORDS, k=rng.randint(2, 6))
        lines.append(" ".join(words) + "\t" + " ".join(w[::-1] + "o" for w in words))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def config(path, **model):
    return {"task": {"kind": "translate"},
            "data": {"path": str(path), "min_freq": 1, "batch_size": 16, "valid_fraction": 0.1,
                     "test_fraction": 0.1},
            "model": {"hidden_size": 24, "embedding_size": 16, "attention": "luong-general",
                      "dropout_input": 0.0, **model},
            "train": {"epochs": 6, "lr": 0.01, "progress": False},
            "decode": {"beam": 3, "heatmaps": 1}}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("translate")
    data = write_pairs(root / "pairs.tsv")
    result = train(config(data), root / "run")
    return data, root / "run", result


def test_a_trained_run_beats_copying_and_writes_its_files(trained):
    data, run_dir, result = trained
    for name in ("config.toml", "source_tokenizer.json", "target_tokenizer.json", "split.json",
                 "report.md", "evaluation.json", "plots/attention-1.png"):
        assert (run_dir / name).is_file(), name
    evaluation = result.report
    assert evaluation.scores["greedy"].bleu > evaluation.scores["copy source"].bleu + 20
    assert evaluation.scores["beam 3"].bleu >= evaluation.scores["greedy"].bleu - 5
    assert evaluation.perplexity < 3  # the mapping is deterministic
    split = json.loads((run_dir / "split.json").read_text())
    assert split["train_sources"] + split["valid_sources"] + split["test_sources"] == \
        len({line.split("\t")[0] for line in data.read_text().splitlines()})
    assert "sacreBLEU nrefs:" in (run_dir / "report.md").read_text()


def test_loaded_translator_batches_like_one_at_a_time(trained):
    _, run_dir, _ = trained
    tr = load_translator(run_dir)
    sentences = ["sun moon", "tree rock fish bird leaf", "snow"]
    together = translate(tr, sentences, beam=3, n_best=2)
    for sentence, found in zip(sentences, together, strict=True):
        alone = translate(tr, [sentence], beam=3, n_best=2)[0]
        assert [t.text for t in found] == [t.text for t in alone]
        assert [t.score for t in found] == pytest.approx([t.score for t in alone], abs=1e-5)
        assert found[0].score >= found[1].score
    best = translate(tr, ["sun moon"])[0][0]
    assert best.text.split()[0] == "nuso"
    weights = attention_weights(tr, best)
    assert weights.shape == (len(best.ids) + 1, 3)  # (output + <eos>, source + <eos>)
    assert weights.sum(1) == pytest.approx(1.0, abs=1e-5)
    assert weights[0].argmax() == 0  # "nuso" read "sun"
    assert evaluate_run(run_dir, beam=1).scores["greedy"].bleu == pytest.approx(
        trained[2].report.scores["greedy"].bleu)
    with pytest.raises(ValueError, match="nothing to translate"):
        translate(tr, ["   "])


def test_resume_keeps_the_vocabulary_and_trains_on(trained):
    _, run_dir, _ = trained
    before = (run_dir / "source_tokenizer.json").read_text()
    more = resume(run_dir, overrides=["train.epochs=7"])
    assert more.summary["epochs"] == 7
    assert (run_dir / "source_tokenizer.json").read_text() == before


def test_teacher_forcing_schedule_and_coins(tmp_path):
    objective = TranslateObjectiveConfig(teacher_forcing=1.0, teacher_forcing_end=0.5)
    assert [objective.ratio(e, 3) for e in range(3)] == [1.0, 0.75, 0.5]
    raw = config(write_pairs(tmp_path / "p.tsv", n=60))
    raw["translate"] = {"teacher_forcing": 0.5}
    task = build(resolve_config(raw), tmp_path / "run")
    batch = task.batches("train", 0)[0]
    torch.manual_seed(0)
    first = task.step(batch, None).loss
    torch.manual_seed(0)
    again = task.step(batch, None).loss  # the coins come from (seed, epoch, batch)
    assert first.item() == pytest.approx(again.item())
    assert abs(first.item() - math.log(task.tokenizers.target.vocab_size)) < 1.0
    assert task.batches("train", 1) != task.batches("train", 0) or len(batch.indices) < 2


def test_bpe_shared_vocabulary_round_trips(tmp_path):
    pytest.importorskip("tokenizers")
    from rnnlab.data.text.parallel import Pair
    from rnnlab.tasks.translate.config import TranslateDataConfig
    from rnnlab.tasks.translate.load import output_text
    from rnnlab.tasks.translate.task import Tokenizers, build_tokenizers

    pairs = [Pair(f"Je suis {w} !", f"I am {w}!", i) for i, w in enumerate(WORDS * 3)]
    data = TranslateDataConfig(path="x", level="bpe", shared_vocab=True, max_vocab=300)
    toks = build_tokenizers(data, pairs)
    assert toks.source is toks.target
    ids = toks.target.encode("I am Être!")
    assert output_text(toks, ids, "en") == "I am Être!"  # cased, accents kept, no <unk>
    toks.save(tmp_path)
    assert Tokenizers.load(tmp_path).source.vocab == toks.source.vocab


def test_config_errors_before_any_data(tmp_path):
    with pytest.raises(ConfigError, match="path"):
        resolve_config({"task": {"kind": "translate"}})
    with pytest.raises(ConfigError, match="input_feeding"):
        resolve_config(config(tmp_path / "absent.tsv", attention="bahdanau", input_feeding=True))
    with pytest.raises(ConfigError, match="filter"):
        resolve_config({**config(tmp_path / "x"), "data": {"path": "x", "filter": "prefixes"}})
