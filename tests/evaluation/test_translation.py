"""BLEU / chrF through sacrebleu (golden values), several references, length buckets, the copy
baseline and the attention heatmap."""

from __future__ import annotations

import numpy as np
import pytest
import sacrebleu

from rnnlab.evaluation.attention_plots import plot_attention
from rnnlab.evaluation.translation import (
    bleu_by_length,
    copy_baseline,
    reference_streams,
    score_translations,
)

HYPS = ["the cat is on the mat", "there is a dog in the garden"]
REFS = [["the cat is on the mat", "a cat sits on the mat"], ["a dog is in the garden"]]


def test_scores_are_sacrebleus_with_the_signature():
    score = score_translations(HYPS, REFS)
    assert score.sentences == 2
    assert score.bleu == pytest.approx(63.2298, abs=1e-3)  # sacrebleu 2.x, 13a, exp smoothing
    assert score.chrf == pytest.approx(84.5676, abs=1e-3)
    # the same as sacrebleu's own call with full reference streams (a repeated reference
    # adds nothing): the None padding of the second stream changes nothing
    full = sacrebleu.corpus_bleu(HYPS, [[r[0] for r in REFS], [REFS[0][1], REFS[1][0]]])
    assert score.bleu == pytest.approx(full.score)
    assert "nrefs:var" in score.bleu_signature and "case:mixed" in score.bleu_signature
    perfect = score_translations([r[0] for r in REFS], REFS)
    assert perfect.bleu == pytest.approx(100.0) and perfect.chrf == pytest.approx(100.0)
    lower = score_translations(["THE CAT IS ON THE MAT"], [["the cat is on the mat"]],
                               lowercase=True)
    assert lower.bleu == pytest.approx(100.0) and "case:lc" in lower.bleu_signature


def test_reference_streams_pad_with_none():
    assert reference_streams(REFS) == [["the cat is on the mat", "a dog is in the garden"],
                                       ["a cat sits on the mat", None]]
    with pytest.raises(ValueError, match="reference"):
        reference_streams([["a"], []])
    with pytest.raises(ValueError, match="one reference list per hypothesis"):
        score_translations(HYPS, REFS[:1])


def test_bleu_by_length_partitions_the_sentences():
    hyps = ["a b c d", "a b c d e f g", "x y z w v u t s r q p o"]
    refs = [["a b c d"], ["a b c d e f g"], ["x y z w"]]
    rows = bleu_by_length(hyps, refs, [4, 7, 12], edges=(5, 10))
    assert [(label, n) for label, n, _ in rows] == [("1-5", 1), ("6-10", 1), ("11+", 1)]
    assert rows[0][2] == pytest.approx(100.0) and rows[2][2] < 25  # 4 of 12 words right


def test_copy_baseline_scores_the_sources():
    sources = ["le chat", "Tom est là"]
    refs = [["the cat"], ["Tom is here"]]
    copy = copy_baseline(sources, refs)
    assert copy.bleu == score_translations(sources, refs).bleu
    assert 0 < copy.chrf < 50  # "Tom" is shared; little else


def test_attention_heatmap_png(tmp_path):
    weights = np.array([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1]])
    path = plot_attention(tmp_path / "a" / "map.png", weights, ["je", "suis", "<eos>"],
                          ["i", "am"], title="je suis -> i am")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="target × source"):
        plot_attention(tmp_path / "bad.png", weights.T, ["je", "suis", "<eos>"], ["i", "am"])
