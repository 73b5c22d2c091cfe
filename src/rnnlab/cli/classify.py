"""``rnnlab classify train|evaluate|predict``: text classification from a run directory.

::

    rnnlab classify train --run-dir runs/names                     # shipped surnames, chars
    rnnlab classify train --data ../shared/data/sst --level word --set data.sst_classes=2
    rnnlab classify train --data ../shared/data/sst --level word --from-lm runs/lm-wt2
    rnnlab classify evaluate runs/names --split test
    rnnlab classify predict runs/names Nakamura Schmidt "O'Neill"
    echo "Dostoevsky" | rnnlab classify predict runs/names
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rnnlab.cli.arguments import (
    MODEL_FLAGS,
    add_run_dir_args,
    add_training_flags,
    flag_values,
    run_training,
)
from rnnlab.cli.text_input import add_text_input, read_texts

CLASSIFY_FLAGS = {**MODEL_FLAGS, "level": ("data", "level"), "pooling": ("model", "pooling"),
                  "from_lm": ("transfer", "from_lm")}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("classify", help="text classification: train, evaluate, "
                                                    "predict (sequence -> class)")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)

    train = verbs.add_parser("train", help="train a classifier, then evaluate it on valid/test")
    add_training_flags(train)
    add_data_and_transfer_flags(train, "CSV/TSV, SST folder, class folder or shipped:NAME")
    train.add_argument("--level", choices=("char", "word"), help="data.level")
    train.add_argument("--pooling", choices=("last", "mean", "max", "attention"),
                       help="model.pooling")
    train.set_defaults(func=run_train)

    evaluate = verbs.add_parser("evaluate", help="accuracy, macro-F1, per class, ECE, baseline")
    add_run_dir_args(evaluate)
    evaluate.add_argument("--split", default="test", choices=("valid", "test"))
    evaluate.add_argument("--data", help="labelled data to score instead (the run's format)")
    evaluate.set_defaults(func=run_evaluate)

    predict = verbs.add_parser("predict", help="the classes of texts, with probabilities")
    add_run_dir_args(predict)
    add_text_input(predict)
    predict.add_argument("-k", type=int, default=3, help="how many classes to list per text")
    predict.set_defaults(func=run_predict)


def add_data_and_transfer_flags(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--data", help=f"data.path: {what}")
    parser.add_argument("--from-lm", metavar="RUN_DIR",
                        help="transfer.from_lm: start from this language-model run")


def data_flags(args: argparse.Namespace, table: dict) -> dict:
    """The flags given, with data and LM paths made absolute (the run works from anywhere)."""
    flags = flag_values(args, table)
    if args.data is not None:
        flags["data", "path"] = (args.data if args.data.startswith("shipped:")
                                 else str(Path(args.data).resolve()))
    if args.from_lm is not None:
        flags["transfer", "from_lm"] = str(Path(args.from_lm).resolve())
    return flags


def run_train(args: argparse.Namespace) -> int:
    result = run_training(args, "classify", data_flags(args, CLASSIFY_FLAGS))
    if isinstance(result, int):
        return result
    for split, report in (result.report or {}).items():
        print(f"{split}: {report.summary()}")
    print(f"report: {result.run_dir / 'report.md'}")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from rnnlab.tasks.classify import evaluate_loaded, load_classifier

    loaded = load_classifier(args.run_dir, args.which, args.device)
    report = evaluate_loaded(loaded, args.split, args.data)
    print(report.summary())
    print(report.table())
    return 0


def run_predict(args: argparse.Namespace) -> int:
    from rnnlab.tasks.classify import load_classifier, predict_texts

    if args.k < 1:
        raise ValueError(f"expected -k >= 1, got {args.k}")
    texts = read_texts(args)
    loaded = load_classifier(args.run_dir, args.which, args.device)
    for prediction in predict_texts(loaded, texts, args.k):
        classes = "  ".join(f"{c} {p:.3f}" for c, p in prediction.top)
        print(f"{prediction.text}\t{classes}")
    return 0
