"""Shared by the classification benchmarks: train an rnnlab classifier through the one recipe,
and the scikit-learn linear baseline (TF-IDF n-grams + linear SVM) on the *same* splits.

The baseline's C is chosen on the validation split among a few values, as a
careful user would; both are scored on the same test texts. Needs the
``benchmark`` extra (``pip install -e ".[benchmark]"``: scikit-learn).
"""

from __future__ import annotations

import platform
import time
from datetime import date
from pathlib import Path
from typing import Any

import torch

from rnnlab.evaluation.classification import classification_report
from rnnlab.tasks import resolve_config, train
from rnnlab.tasks.classify import evaluate_loaded, load_classifier, read_splits


def machine() -> str:
    return (f"{platform.machine()} {platform.processor() or ''} {torch.get_num_threads()} torch "
            f"thread(s), torch {torch.__version__}, {date.today().isoformat()}")


def linear_baseline(config: dict[str, Any], analyzer: str, ngrams: tuple[int, int],
                    lowercase: bool = True) -> dict[str, float]:
    """TF-IDF n-grams + LinearSVC on the run's own splits (C chosen on valid)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    splits = read_splits(resolve_config(config, kind="classify")["data"])
    vectorizer = TfidfVectorizer(analyzer=analyzer, ngram_range=ngrams, lowercase=lowercase,
                                 sublinear_tf=True, min_df=1)
    x_train = vectorizer.fit_transform(splits.texts["train"])
    best = None
    for c in (0.1, 0.3, 1.0, 3.0):
        svm = LinearSVC(C=c).fit(x_train, splits.labels["train"])
        valid = (svm.predict(vectorizer.transform(splits.texts["valid"])) ==
                 splits.labels["valid"]).mean()
        if best is None or valid > best[0]:
            best = (valid, c, svm)
    _, c, svm = best
    predicted = svm.predict(vectorizer.transform(splits.texts["test"]))
    report = classification_report(splits.labels["test"], predicted.tolist(), splits.classes,
                                   splits.labels["train"])
    return {"accuracy": report.accuracy, "macro_f1": report.macro_f1, "C": c,
            "majority": report.majority_accuracy}


def train_and_test(config: dict[str, Any], run_dir: str | Path) -> dict[str, Any]:
    """Train (replacing ``run_dir``), then the test report of the best checkpoint."""
    start = time.perf_counter()
    result = train(config, run_dir, kind="classify", replace=True)
    seconds = time.perf_counter() - start
    loaded = load_classifier(run_dir)
    report = evaluate_loaded(loaded, "test")
    return {"accuracy": report.accuracy, "macro_f1": report.macro_f1, "ece": report.ece,
            "majority": report.majority_accuracy, "seconds": seconds,
            "steps": result.summary["steps"], "best_step": result.summary.get("best_step"),
            "valid_accuracy": (result.summary.get("valid") or {}).get("accuracy")}


def show(name: str, rnn: dict[str, Any], base: dict[str, float] | None) -> None:
    line = (f"{name}: test accuracy {100 * rnn['accuracy']:.2f}%, macro-F1 "
            f"{100 * rnn['macro_f1']:.2f}, ECE {rnn['ece']:.3f}; majority class "
            f"{100 * rnn['majority']:.2f}%; {rnn['seconds']:.0f} s, {rnn['steps']} steps "
            f"(best at {rnn['best_step']})")
    if base is not None:
        line += (f"\n  linear SVM on TF-IDF n-grams (C={base['C']}): accuracy "
                 f"{100 * base['accuracy']:.2f}%, macro-F1 {100 * base['macro_f1']:.2f}; "
                 f"RNN − SVM = {100 * (rnn['accuracy'] - base['accuracy']):+.2f} points")
    print(line, flush=True)
