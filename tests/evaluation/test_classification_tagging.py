"""Classification and tagging metrics against golden numbers.

Classification: computed once with scikit-learn 1.x (accuracy_score, f1_score(average="macro",
zero_division=0), precision_recall_fscore_support). Entities: computed once with seqeval
1.2.2 (default, conlleval-compatible mode): get_entities and classification_report on the
examples below. Neither library is a dependency; the numbers are written here.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnnlab.evaluation.classification import (
    classification_report,
    confusion_matrix,
    expected_calibration_error,
)
from rnnlab.evaluation.tagging import (
    MostFrequentTag,
    entity_scores,
    entity_spans,
    token_accuracy,
)

Y = [0, 0, 1, 2, 2, 2, 1, 0, 3, 3]
P = [0, 1, 1, 2, 0, 2, 1, 0, 3, 0]
CLASSES = ["a", "b", "c", "d", "e"]  # "e" occurs nowhere: left out of macro-F1, as sklearn


def test_classification_report_matches_scikit_learn():
    report = classification_report(Y, P, CLASSES, train_labels=[2, 2, 0, 1])
    assert report.accuracy == pytest.approx(0.7)
    assert report.macro_f1 == pytest.approx(0.7095238095238096)
    np.testing.assert_allclose(report.precision, [0.5, 2 / 3, 1.0, 1.0, 0.0])
    np.testing.assert_allclose(report.recall, [2 / 3, 1.0, 2 / 3, 0.5, 0.0])
    np.testing.assert_allclose(report.f1, [0.57142857, 0.8, 0.8, 0.66666667, 0.0], rtol=1e-6)
    assert report.matrix[:4, :4].tolist() == [[2, 1, 0, 0], [0, 2, 0, 0], [1, 0, 2, 0],
                                              [1, 0, 0, 1]]
    assert report.majority_class == "c" and report.majority_accuracy == pytest.approx(0.3)
    assert report.majority_macro_f1 == pytest.approx((2 * 0.3 * 1 / 1.3) / 4)
    assert "precision" in report.table() and "majority" in report.summary()


def test_confusion_and_ece_by_hand():
    assert confusion_matrix([1, 1, 0], [1, 0, 0], 2).tolist() == [[1, 0], [1, 1]]
    # bins of width 0.5: {0.3, 0.4} acc 1/2 conf 0.35 -> .15; {0.9, 0.8} acc 1 conf .85 -> .15
    ece = expected_calibration_error([0.3, 0.4, 0.9, 0.8], [True, False, True, True], bins=2)
    assert ece == pytest.approx(0.5 * 0.15 + 0.5 * 0.15)
    assert expected_calibration_error([1.0, 1.0], [True, True]) == 0.0


GOLD = [
    ["B-PER", "I-PER", "O", "B-LOC", "I-LOC", "I-LOC", "O"],
    ["I-ORG", "I-ORG", "O", "B-PER", "B-PER", "O"],
    ["O", "B-LOC", "I-PER", "I-PER", "O", "B-ORG"],
    ["B-MISC", "I-MISC", "I-MISC", "O", "O"],
    ["O", "O", "O"],
]
PRED = [
    ["B-PER", "I-PER", "O", "B-LOC", "I-LOC", "O", "O"],
    ["B-ORG", "I-ORG", "O", "B-PER", "I-PER", "O"],
    ["O", "B-LOC", "I-PER", "I-PER", "O", "I-ORG"],
    ["B-MISC", "I-MISC", "I-MISC", "O", "B-PER"],
    ["I-LOC", "I-LOC", "B-LOC"],
]


def test_spans_follow_conlleval_like_seqeval():
    assert entity_spans(GOLD[1]) == [("ORG", 0, 1), ("PER", 3, 3), ("PER", 4, 4)]
    assert entity_spans(GOLD[2]) == [("LOC", 1, 1), ("PER", 2, 3), ("ORG", 5, 5)]
    assert entity_spans(PRED[4]) == [("LOC", 0, 1), ("LOC", 2, 2)]  # I- without B- starts one
    iobes = ["S-PER", "B-LOC", "E-LOC", "O", "B-ORG", "I-ORG", "E-ORG", "I-ORG"]
    assert entity_spans(iobes) == [("PER", 0, 0), ("LOC", 1, 2), ("ORG", 4, 6), ("ORG", 7, 7)]
    odd = ["E-PER", "S-LOC", "I-LOC", "B-ORG", "B-ORG", "I-PER"]
    assert entity_spans(odd) == [("PER", 0, 0), ("LOC", 1, 1), ("LOC", 2, 2), ("ORG", 3, 3),
                                 ("ORG", 4, 4), ("PER", 5, 5)]


def test_entity_scores_match_seqeval_report():
    scores = entity_scores(GOLD, PRED)
    assert (scores.precision, scores.recall, scores.f1) == pytest.approx(
        (0.545455, 0.666667, 0.6), abs=1e-6)
    expected = {"LOC": (0.25, 0.5, 0.333333, 2), "MISC": (1.0, 1.0, 1.0, 1),
                "ORG": (1.0, 1.0, 1.0, 2), "PER": (0.5, 0.5, 0.5, 4)}
    assert set(scores.per_type) == set(expected)
    for kind, (p, r, f, n) in expected.items():
        assert scores.per_type[kind][:3] == pytest.approx((p, r, f), abs=1e-6)
        assert scores.per_type[kind][3] == n
    assert (scores.gold, scores.predicted, scores.correct) == (9, 11, 6)
    with pytest.raises(ValueError, match="sentence 0"):
        entity_scores([["O"]], [["O", "O"]])


def test_token_accuracy_and_most_frequent_tag():
    words = [["the", "dog", "runs"], ["the", "runs"]]
    tags = [["DET", "NOUN", "VERB"], ["DET", "NOUN"]]
    baseline = MostFrequentTag(words, tags)
    assert baseline.predict(["the", "runs", "cat"]) == ["DET", "NOUN", "DET"]  # ties sort first
    assert token_accuracy(tags, [["DET", "NOUN", "NOUN"], ["DET", "NOUN"]]) == pytest.approx(0.8)
