"""``rnnlab demo`` section "classify": which language is a surname from? (characters -> class)

Trains a character-level bidirectional GRU with max pooling on the shipped
surname lists (18 languages; a subset of the PyTorch tutorial's, see its
SOURCE.md), through the same recipe as ``rnnlab classify train``. First it
says what de-duplication found (the same name listed twice, or under two
languages) and how the *distinct* names were split; then the test accuracy
next to the majority class, the most confused pairs, a confusion-matrix
picture, and the guesses for a few names.
"""

from __future__ import annotations

from pathlib import Path

NAMES = ("Nakamura", "Schmidt", "Rossi", "Dostoevsky", "Silva", "O'Brien", "Nguyen")


def demo_config(quick: bool) -> dict:
    return {
        "task": {"kind": "classify"},
        "data": {"path": "shipped:surnames", "level": "char", "batch_size": 32},
        "model": {"cell": "gru", "embedding_size": 16 if quick else 32,
                  "hidden_size": 16 if quick else 64, "bidirectional": True, "pooling": "max",
                  "dropout_output": 0.2},
        "train": {"epochs": 1 if quick else 8, "max_steps": 30 if quick else None, "lr": 5e-3,
                  "patience": 2, "progress": False, "seed": 0},
    }


def section(run_dir: Path, quick: bool) -> None:
    import json

    from rnnlab.tasks import train
    from rnnlab.tasks.classify import load_classifier, predict_texts

    result = train(demo_config(quick), run_dir)
    summary = json.loads((run_dir / "data_summary.json").read_text(encoding="utf-8"))
    d = summary["distinct"]
    print(f"surnames of 18 languages: {d['rows']} lines, {d['distinct']} distinct names "
          f"({d['duplicate_rows']} repeats removed, {d['conflicts']} names listed under two "
          f"languages: majority kept); split by distinct name {summary['sizes']}")
    m = result.config["model"]
    print(f"model: characters -> bidirectional {m.cell.upper()} 1x{m.hidden_size} -> max "
          f"pooling -> 18 classes ({result.summary['steps']} steps)")
    report = result.report["test"]
    print(f"test: {report.summary()}")
    matrix = report.matrix.copy()
    for i in range(len(matrix)):
        matrix[i, i] = 0
    worst = sorted(((matrix[i, j], i, j) for i in range(len(matrix)) for j in range(len(matrix))
                    if matrix[i, j]), reverse=True)[:3]
    print("most confused: " + "; ".join(f"{report.classes[i]} read as {report.classes[j]} "
                                        f"({n}x)" for n, i, j in worst))
    print(f"confusion matrix: {run_dir / 'plots' / 'confusion_test.png'}")
    for p in predict_texts(load_classifier(run_dir), list(NAMES), k=2):
        print(f"  {p.text:<11} " + ", ".join(f"{c} {prob:.2f}" for c, prob in p.top))
    print(f'run directory: {run_dir} (try: rnnlab classify predict {run_dir} "Kowalski")')
