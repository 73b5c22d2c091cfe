"""Perplexity, bits per character, sentence / next-token probabilities, agreement probe."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from rnnlab.data.text import WordTokenizer
from rnnlab.evaluation.agreement import agreement_accuracy, read_agreement
from rnnlab.evaluation.language import (
    bits_per_char,
    evaluate_stream,
    format_table,
    next_token_distribution,
    perplexity,
    sentence_log_prob,
    token_log_probs,
    unigram_baseline,
)


class Bigram(nn.Module):
    """logits = log p(next | last) from a fixed table; stateless."""

    def __init__(self, log_table: torch.Tensor) -> None:
        super().__init__()
        self.table = nn.Parameter(log_table)

    def forward(self, tokens, state=None):
        return self.table[tokens], state  # (T, B, V)


def _bigram(v: int = 5, seed: int = 0) -> Bigram:
    g = torch.Generator().manual_seed(seed)
    return Bigram(torch.randn(v, v, generator=g).log_softmax(-1))


def test_uniform_model_has_perplexity_v():
    model = Bigram(torch.zeros(7, 7))
    score = evaluate_stream(model, torch.randint(0, 7, (500,)), batch_size=4, bptt=9)
    assert score.loss == pytest.approx(math.log(7)) and score.perplexity == pytest.approx(7)
    assert score.tokens == (500 // 4 - 1) * 4
    assert bits_per_char(math.log(2) * 1.5) == pytest.approx(1.5)
    assert perplexity(0.0) == 1.0


@pytest.mark.parametrize(("batch_size", "bptt"), [(1, 1000), (3, 7)])
def test_stream_loss_equals_the_bigram_by_hand(batch_size, bptt):
    model = _bigram()
    ids = torch.randint(0, 5, (301,))
    score = evaluate_stream(model, ids, batch_size=batch_size, bptt=bptt)
    n = 301 // batch_size
    streams = ids[: n * batch_size].view(batch_size, n)
    by_hand = -model.table.detach()[streams[:, :-1], streams[:, 1:]].mean().item()
    assert score.loss == pytest.approx(by_hand, rel=1e-5)


def test_unigram_baseline_formula():
    score = unigram_baseline([0, 0, 1], [0, 2], vocab_size=3, add=1.0)
    expected = -(math.log(3 / 6) + math.log(1 / 6)) / 2  # (c + 1) / (N + V)
    assert score.loss == pytest.approx(expected)


def test_sentence_and_token_log_probs():
    model = _bigram()
    table = model.table.detach()
    logs = token_log_probs(model, [2, 4], start_id=1)
    assert logs == pytest.approx([table[1, 2].item(), table[2, 4].item()], abs=1e-6)
    total = sentence_log_prob(model, [2, 4], start_id=1, end_id=1)
    assert total == pytest.approx(float(table[1, 2] + table[2, 4] + table[4, 1]), abs=1e-5)
    with pytest.raises(ValueError, match="empty"):
        token_log_probs(model, [], start_id=1)


def test_next_token_distribution_is_the_top_of_the_softmax():
    model = _bigram()
    top = next_token_distribution(model, [3, 2], start_id=1, k=3)
    probs = model.table.detach()[2].exp()
    assert [i for i, _ in top] == probs.argsort(descending=True)[:3].tolist()
    assert [p for _, p in top] == pytest.approx(probs.sort(descending=True).values[:3].tolist())
    table = format_table([("carro", "0.198")], ["word", "p"])
    assert table.splitlines()[0].split() == ["word", "p"] and "carro" in table


def _write_agreement(folder):
    (folder / "t.text").write_text(
        "the dog runs fast <eos>\nthe dogs run <eos>\nthe cat of the dogs is here <eos>\n"
        "a zebra zooms <eos>\n",
        encoding="utf-8",
    )
    (folder / "t.gold").write_text(
        "2\truns\trun\t0\n2\trun\truns\t0\n5\tis\tare\t1\n2\tzooms\tzoom\t0\n", encoding="utf-8"
    )


class Scripted(nn.Module):
    """Prefers "runs" after "dog", "run" after "dogs", and "are" after "dogs" (an attractor)."""

    def __init__(self, tok: WordTokenizer) -> None:
        super().__init__()
        v = len(tok)
        table = torch.zeros(v, v)
        ix = tok.index
        table[ix["dog"], ix["runs"]] = 1.0
        table[ix["dogs"], ix["run"]] = 1.0
        table[ix["dogs"], ix["are"]] = 1.0  # fooled by the attractor
        self.table = nn.Parameter(table)

    def forward(self, tokens, state=None):
        return self.table[tokens], state


def test_agreement_accuracy_overall_and_by_attractors(tmp_path):
    _write_agreement(tmp_path)
    items = read_agreement(tmp_path / "t")
    assert items[2].prefix == ("the", "cat", "of", "the", "dogs") and items[2].attractors == 1
    tok = WordTokenizer.build(["the dog dogs runs run is are cat of"])
    model = Scripted(tok)
    result = agreement_accuracy(model, tok, items, batch_size=2)
    assert result.skipped == 1  # "zooms" is not in the vocabulary
    assert result.by_attractors == {0: [2, 2], 1: [0, 1]}
    assert result.accuracy == pytest.approx(2 / 3)
    one_by_one = agreement_accuracy(model, tok, items, batch_size=1)
    assert one_by_one.by_attractors == result.by_attractors
    assert result.rows()[-1] == ("all", 3, "0.667")
    assert read_agreement(tmp_path / "t.gold") == read_agreement(tmp_path) == items


def test_agreement_file_errors(tmp_path):
    _write_agreement(tmp_path)
    (tmp_path / "t.gold").write_text("2\truns\trun\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line-aligned"):
        read_agreement(tmp_path / "t")
    (tmp_path / "t.gold").write_text("2\truns\trun\n" * 4, encoding="utf-8")
    with pytest.raises(ValueError, match=r"t.gold:1: expected 'position"):
        read_agreement(tmp_path / "t")
    (tmp_path / "t.gold").write_text("9\truns\trun\t0\n" * 4, encoding="utf-8")
    with pytest.raises(ValueError, match="past the end"):
        read_agreement(tmp_path / "t")
    with pytest.raises(FileNotFoundError):
        read_agreement(tmp_path / "missing")


def test_linzen_subset_reads(shared_data):
    items = read_agreement(shared_data / "linzen-agreement-subset")
    assert len(items) == 7489
    counts = {n: sum(1 for i in items if i.attractors == n) for n in range(5)}
    assert counts == {0: 1972, 1: 1957, 2: 1943, 3: 1287, 4: 330}
    assert items[0].prefix[-2:] == ("the", "town") and items[0].correct == "is"
