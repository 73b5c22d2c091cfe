"""Classification metrics: accuracy, macro-F1, per-class P/R/F1, confusion matrix, ECE, baseline.

Symbols: N items, C classes, y_i the true class, ŷ_i the predicted one, p̂_i the
model's probability of ŷ_i (its confidence). Per class c, with TP_c the items of
class c predicted c:

    precision_c = TP_c / #{ŷ = c}     recall_c = TP_c / #{y = c}
    F1_c = 2·P·R / (P + R)            macro-F1 = (1/C') Σ_c F1_c

over the C' classes that occur in the truth or the predictions (scikit-learn's
default; a class never predicted has precision 0, as its ``zero_division=0``).
Expected calibration error (Guo et al. 2017) with M equal-width confidence bins
B_m:  ECE = Σ_m |B_m|/N · |acc(B_m) − conf(B_m)|. The majority-class baseline
predicts the most frequent *training* class for every item.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


def confusion_matrix(y_true: Sequence[int], y_pred: Sequence[int], num_classes: int
                     ) -> np.ndarray:
    """M (C, C) with M[i, j] = items of true class i predicted j."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(y_true, dtype=int), np.asarray(y_pred, dtype=int)), 1)
    return matrix


def macro_f1(matrix: np.ndarray) -> float:
    """Mean F1 over the classes present in the truth or the predictions."""
    present = (matrix.sum(0) + matrix.sum(1)) > 0
    return float(per_class_scores(matrix)[2][present].mean())


def per_class_scores(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(precision, recall, F1) per class from a confusion matrix (0 where undefined)."""
    tp = np.diag(matrix).astype(float)
    predicted, actual = matrix.sum(0), matrix.sum(1)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, actual, out=np.zeros_like(tp), where=actual > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(tp), where=denom > 0)
    return precision, recall, f1


def expected_calibration_error(confidence: Sequence[float], correct: Sequence[bool],
                               bins: int = 15) -> float:
    """ECE over ``bins`` equal-width confidence bins (0, 1/M], (1/M, 2/M] …."""
    confidence = np.asarray(confidence, dtype=float)
    correct = np.asarray(correct, dtype=float)
    if confidence.size == 0:
        raise ValueError("expected at least one prediction")
    which = np.clip(np.ceil(confidence * bins).astype(int) - 1, 0, bins - 1)
    total = 0.0
    for m in range(bins):
        members = which == m
        if members.any():
            total += members.mean() * abs(correct[members].mean() - confidence[members].mean())
    return float(total)


@dataclass
class ClassificationReport:
    """Every number a classify report shows, for one split."""

    classes: list[str]
    matrix: np.ndarray  # (C, C) confusion
    accuracy: float
    macro_f1: float
    precision: np.ndarray  # (C,)
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray  # (C,) true items per class
    ece: float | None  # None without probabilities
    majority_class: str
    majority_accuracy: float
    majority_macro_f1: float

    def table(self) -> str:
        from rnnlab.evaluation.language import format_table

        rows = [(c, f"{p:.3f}", f"{r:.3f}", f"{f:.3f}", int(n)) for c, p, r, f, n in
                zip(self.classes, self.precision, self.recall, self.f1, self.support,
                    strict=True)]
        return format_table(rows, ["class", "precision", "recall", "F1", "support"])

    def summary(self) -> str:
        ece = "" if self.ece is None else f", ECE {self.ece:.3f}"
        return (f"accuracy {self.accuracy:.4f}, macro-F1 {self.macro_f1:.4f}{ece}; majority "
                f"class ({self.majority_class!r}) accuracy {self.majority_accuracy:.4f}, "
                f"macro-F1 {self.majority_macro_f1:.4f}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "accuracy": self.accuracy, "macro_f1": self.macro_f1, "ece": self.ece,
            "majority_class": self.majority_class, "majority_accuracy": self.majority_accuracy,
            "majority_macro_f1": self.majority_macro_f1, "classes": self.classes,
            "per_class": {c: {"precision": float(p), "recall": float(r), "f1": float(f),
                              "support": int(n)}
                          for c, p, r, f, n in zip(self.classes, self.precision, self.recall,
                                                   self.f1, self.support, strict=True)},
            "confusion": self.matrix.tolist(),
        }


def classification_report(y_true: Sequence[int], y_pred: Sequence[int], classes: Sequence[str],
                          train_labels: Sequence[int], confidence: Sequence[float] | None = None,
                          bins: int = 15) -> ClassificationReport:
    """The report of predictions ``y_pred`` for ``y_true`` (class indices into ``classes``),
    with the majority-class baseline taken from ``train_labels``."""
    if len(y_true) != len(y_pred) or not len(y_true):
        raise ValueError(f"expected as many predictions as items (> 0), got {len(y_pred)} and "
                         f"{len(y_true)}")
    c = len(classes)
    matrix = confusion_matrix(y_true, y_pred, c)
    precision, recall, f1 = per_class_scores(matrix)
    majority = Counter(train_labels).most_common(1)[0][0]
    base = confusion_matrix(y_true, [majority] * len(y_true), c)
    ece = None
    if confidence is not None:
        correct = np.asarray(y_true) == np.asarray(y_pred)
        ece = expected_calibration_error(confidence, correct, bins)
    return ClassificationReport(
        classes=list(classes), matrix=matrix, accuracy=float(np.trace(matrix) / matrix.sum()),
        macro_f1=macro_f1(matrix), precision=precision, recall=recall, f1=f1,
        support=matrix.sum(1), ece=ece, majority_class=classes[majority],
        majority_accuracy=float(np.trace(base) / base.sum()),
        majority_macro_f1=macro_f1(base),
    )
