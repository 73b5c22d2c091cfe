"""``rnnlab tag train|evaluate|predict``: sequence tagging (POS, NER) from a run directory.

::

    rnnlab tag train --data ../shared/data/lener-br --run-dir runs/ner     # BiLSTM-CRF
    rnnlab tag train --data ../shared/data/ud-portuguese-bosque --output softmax
    rnnlab tag evaluate runs/ner --split test
    rnnlab tag predict runs/ner "O Supremo Tribunal Federal julgou o recurso ."
"""

from __future__ import annotations

import argparse

from rnnlab.cli.arguments import MODEL_FLAGS, add_run_dir_args, add_training_flags, run_training
from rnnlab.cli.classify import add_data_and_transfer_flags, data_flags
from rnnlab.cli.text_input import add_text_input, read_texts

TAG_FLAGS = {**MODEL_FLAGS, "output": ("model", "output"),
             "char_features": ("model", "char_features"), "from_lm": ("transfer", "from_lm")}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("tag", help="sequence tagging: train, evaluate, predict "
                                               "(one tag per token; CRF)")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)

    train = verbs.add_parser("train", help="train a tagger, then evaluate it on valid/test")
    add_training_flags(train)
    add_data_and_transfer_flags(train, "a CoNLL/CoNLL-U file or a folder of train/dev/test")
    train.add_argument("--output", choices=("crf", "softmax"), help="model.output")
    train.add_argument("--char-features", choices=("none", "cnn", "rnn"),
                       help="model.char_features")
    train.set_defaults(func=run_train)

    evaluate = verbs.add_parser("evaluate", help="token accuracy, entity P/R/F1, baseline")
    add_run_dir_args(evaluate)
    evaluate.add_argument("--split", default="test", choices=("valid", "test"))
    evaluate.add_argument("--data", help="a CoNLL/CoNLL-U file to score instead")
    evaluate.set_defaults(func=run_evaluate)

    predict = verbs.add_parser("predict", help="tag texts: token/tag columns and entity spans")
    add_run_dir_args(predict)
    add_text_input(predict)
    predict.set_defaults(func=run_predict)


def run_train(args: argparse.Namespace) -> int:
    result = run_training(args, "tag", data_flags(args, TAG_FLAGS))
    if isinstance(result, int):
        return result
    for evaluation in (result.report or {}).values():
        print(evaluation.describe())
    print(f"report: {result.run_dir / 'report.md'}")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from rnnlab.tasks.tag import evaluate_loaded, load_tagger

    print(evaluate_loaded(load_tagger(args.run_dir, args.which, args.device), args.split,
                          args.data).describe())
    return 0


def run_predict(args: argparse.Namespace) -> int:
    from rnnlab.tasks.tag import load_tagger, predict_sentences

    loaded = load_tagger(args.run_dir, args.which, args.device)
    for sentence in predict_sentences(loaded, read_texts(args)):
        print(sentence.describe())
        print()
    return 0
