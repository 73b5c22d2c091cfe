"""Interpolated modified Kneser–Ney against probabilities worked out by hand, and sums to 1."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from rnnlab.models.ngram import KneserNeyLM, NGramConfig, estimate_discounts

A, B, C, D = 0, 1, 2, 3  # D is in the vocabulary but never in the text
TEXT = [A, B, A, C, A, B]  # bigrams: ab ×2, ba, ac, ca
FIXED = (0.5, 1.0, 1.5)


def test_bigram_probabilities_by_hand():
    model = KneserNeyLM.fit(TEXT, 4, NGramConfig(order=2, discounts=FIXED))
    # unigrams use continuation counts N1+(• w): a after {b, c} = 2, b after {a} = 1,
    # c after {a} = 1, d 0; total 4; N1 = 2 (b, c), N2 = 1 (a): γ = 0.5·2 + 1.0·1 = 2
    p1 = {A: (2 - 1.0 + 2 * 0.25) / 4, B: (1 - 0.5 + 2 * 0.25) / 4,
          C: (1 - 0.5 + 2 * 0.25) / 4, D: (0 + 2 * 0.25) / 4}
    assert p1 == {A: 0.375, B: 0.25, C: 0.25, D: 0.125}
    # context a: c(ab) = 2, c(ac) = 1, total 3, γ(a) = 0.5·1 + 1.0·1 = 1.5
    expected = {B: (2 - 1.0 + 1.5 * p1[B]) / 3, C: (1 - 0.5 + 1.5 * p1[C]) / 3,
                A: 1.5 * p1[A] / 3, D: 1.5 * p1[D] / 3}
    np.testing.assert_allclose(model.distribution([A]), [expected[w] for w in (A, B, C, D)])
    np.testing.assert_allclose(model.distribution([D]), [p1[w] for w in (A, B, C, D)])  # unseen
    np.testing.assert_allclose(model.distribution([]), [p1[w] for w in (A, B, C, D)])
    # a stream: the first token from the unigrams, then each from its predecessor
    log_p = model.log_probs([A, B, D])
    np.testing.assert_allclose(np.exp(log_p), [0.375, expected[B], (0 + 0.5 * 0.125) / 1])


def test_middle_orders_use_continuation_counts():
    model = KneserNeyLM.fit(TEXT, 4, NGramConfig(order=3, discounts=FIXED))
    bigrams = model.tables[1]
    counts = {(int(k) // 4, int(k) % 4): c for k, c in zip(bigrams.keys, bigrams.counts,
                                                           strict=True)}
    unigram_id = {int(k): i for i, k in enumerate(model.tables[0].keys)}
    # trigrams aba, bac, aca, cab: each bigram completes one distinct left context; ab at
    # the very start has none, but later follows c once (its raw count is 2)
    assert counts == {(unigram_id[x], y): 1.0 for x, y in ((A, B), (B, A), (A, C), (C, A))}
    assert model.tables[2].counts.tolist() == [1.0, 1.0, 1.0, 1.0]  # raw trigram counts


def test_discounts_follow_chen_and_goodman():
    counts = np.array([1] * 10 + [2] * 5 + [3] * 3 + [4] * 2 + [9])
    y = 10 / (10 + 2 * 5)
    expected = [1 - 2 * y * 5 / 10, 2 - 3 * y * 3 / 5, 3 - 4 * y * 2 / 3]
    np.testing.assert_allclose(estimate_discounts(counts), expected)
    # raw bigram counts 2, 1, 1, 1: n3 = 0 leaves D2 undefined: KenLM's fallback
    model = KneserNeyLM.fit(TEXT, 4, NGramConfig(order=2))
    np.testing.assert_allclose(model.tables[1].discounts, [0.5, 1.0, 1.5])
    # n1 = 4, n2 = 1, n3 = 1: D2 = 2 − 3·(2/3)·1 = 0 is no discount at all: fallback too
    np.testing.assert_allclose(estimate_discounts(np.array([1, 1, 1, 1, 2, 3])), [0.5, 1, 1.5])


@pytest.mark.parametrize("order", [2, 3, 4])
def test_probabilities_sum_to_one_for_every_context(order):
    text = np.random.default_rng(order).integers(0, 6, size=300)
    model = KneserNeyLM.fit(text, 7, NGramConfig(order=order))  # token 6 is never seen
    for length in range(order):
        for context in itertools.product(range(7), repeat=length):
            assert math.isclose(model.distribution(list(context)).sum(), 1.0, abs_tol=1e-12)


def test_save_and_load_give_the_same_probabilities(tmp_path):
    text = np.random.default_rng(0).integers(0, 20, size=500)
    model = KneserNeyLM.fit(text, 20, NGramConfig(order=3))
    model.save(tmp_path)
    assert not list(tmp_path.glob("*.pkl")) and (tmp_path / "ngram.json").is_file()
    again = KneserNeyLM.load(tmp_path)
    probe = np.random.default_rng(1).integers(0, 20, size=(4, 30))
    np.testing.assert_array_equal(again.log_probs(probe), model.log_probs(probe))
    with pytest.raises(FileNotFoundError, match="no n-gram model"):
        KneserNeyLM.load(tmp_path / "missing")


def test_next_log_probs_read_only_the_last_n_minus_1_tokens():
    text = np.random.default_rng(2).integers(0, 5, size=200)
    model = KneserNeyLM.fit(text, 5, NGramConfig(order=3))
    got = model.next_log_probs([[4, 1, 2], [2], []], [3, 0, 1])
    want = [model.log_probs([1, 2, 3])[-1], model.log_probs([2, 0])[-1],
            model.log_probs([1])[0]]
    np.testing.assert_allclose(got, want)


def test_config_and_input_errors():
    with pytest.raises(ValueError, match="order"):
        NGramConfig(order=0)
    with pytest.raises(ValueError, match="discounts"):
        NGramConfig(discounts=(1.5, 1.0, 1.0))
    with pytest.raises(ValueError, match="token ids in"):
        KneserNeyLM.fit([0, 5], 4)


def test_kn5_on_penn_treebank_lands_at_the_published_figure(shared_data):
    """Mikolov et al. (2011) report KN5 test perplexity 141.2 on this corpus (SRILM); the
    golden number is this implementation's, on the lm task's own test predictions."""
    from rnnlab.data.text import WordTokenizer, load_corpus
    from rnnlab.evaluation.language import evaluate_counts_stream

    corpus = load_corpus(shared_data / "ptb" / "ptb")
    tokenizer = WordTokenizer.build(corpus.train)
    model = KneserNeyLM.fit(tokenizer.encode_lines(corpus.train), len(tokenizer))
    score = evaluate_counts_stream(model, tokenizer.encode_lines(corpus.test), batch_size=10)
    assert score.tokens == 82420
    assert score.perplexity == pytest.approx(141.06, abs=0.01)
    assert abs(score.perplexity - 141.2) < 0.5
