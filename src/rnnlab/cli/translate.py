"""``rnnlab translate train|evaluate|translate``: encoder–decoders from a run directory.

::

    rnnlab translate train --data ../shared/data/tatoeba-eng-fra/fra.txt.gz --preset tutorial \\
        --attention bahdanau --run-dir runs/fr-en --epochs 10
    rnnlab translate evaluate runs/fr-en --beam 5
    rnnlab translate translate runs/fr-en "je suis fatigue" "il est grand" --beam 5
    rnnlab translate translate runs/fr-en --file sentences.txt > out.txt
    echo "elle est en retard" | rnnlab translate translate runs/fr-en
    rnnlab translate translate runs/fr-en "je suis fatigue" --show-attention attention.png
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rnnlab.cli.arguments import (
    MODEL_FLAGS,
    add_run_dir_args,
    add_training_flags,
    flag_values,
    train_and_report,
)
from rnnlab.cli.text_input import add_text_input, read_texts

TRANSLATE_FLAGS = {**MODEL_FLAGS, "data": ("data", "path"), "level": ("data", "level"),
                   "attention": ("model", "attention"), "reverse": ("data", "reverse")}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "translate", help="encoder-decoder translation: train, evaluate (BLEU, chrF), translate")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)

    train = verbs.add_parser("train", help="train an encoder-decoder into a run directory")
    add_training_flags(train)
    train.add_argument("--data", help="data.path: a source<TAB>target file (.gz read too)")
    train.add_argument("--preset", choices=("tutorial",),
                       help="tutorial: the PyTorch tutorial's data (its normalisation, the "
                            "'i am / he is' prefix filter, < 10 words, French -> English)")
    train.add_argument("--reverse", action="store_true", default=None,
                       help="data.reverse: translate the second column into the first")
    train.add_argument("--level", choices=("word", "bpe"), help="data.level")
    train.add_argument("--attention", help="model.attention: none, bahdanau, luong-dot, "
                                           "luong-general, luong-concat")
    train.set_defaults(func=run_train)

    evaluate = verbs.add_parser("evaluate", help="BLEU and chrF (greedy and beam), perplexity, "
                                                 "the copy baseline, BLEU by source length")
    add_run_dir_args(evaluate)
    evaluate.add_argument("--split", default="test", choices=("valid", "test"))
    evaluate.add_argument("--beam", type=int, default=None,
                          help="beam width (default: the run's decode.beam; 1 = greedy only)")
    evaluate.set_defaults(func=run_evaluate)

    tr = verbs.add_parser("translate", help="translate sentences (arguments, --file, or stdin)")
    add_run_dir_args(tr)
    add_text_input(tr)
    tr.add_argument("--beam", type=int, default=1, metavar="N", help="beam width (1 = greedy)")
    tr.add_argument("--n-best", type=int, default=1, help="print the N best (with --beam N)")
    tr.add_argument("--show-attention", type=Path, metavar="OUT.png",
                    help="write the attention heatmap of each sentence (OUT-2.png … after the "
                         "first)")
    tr.add_argument("--allow-unk", action="store_true", help="let <unk> be generated")
    tr.set_defaults(func=run_translate)


def run_train(args: argparse.Namespace) -> int:
    from rnnlab.tasks.translate import TUTORIAL_PRESET

    flags = flag_values(args, TRANSLATE_FLAGS)
    if args.preset == "tutorial":
        flags = {**{("data", k): v for k, v in TUTORIAL_PRESET.items()}, **flags}
    return train_and_report(args, "translate", flags)


def run_evaluate(args: argparse.Namespace) -> int:
    from rnnlab.tasks.translate import evaluate_run

    print(evaluate_run(args.run_dir, args.split, args.which, args.beam, args.device).describe())
    return 0


def run_translate(args: argparse.Namespace) -> int:
    from rnnlab.tasks.translate import heatmaps, load_translator, translate

    if args.beam < 1 or not 1 <= args.n_best <= args.beam:
        raise ValueError(f"expected --beam >= 1 and 1 <= --n-best <= --beam, got {args.beam} "
                         f"and {args.n_best}")
    sentences = read_texts(args)
    tr = load_translator(args.run_dir, args.which, args.device)
    if args.show_attention is not None:
        out = args.show_attention
        paths = [out.with_name(f"{out.stem}{'' if i == 0 else f'-{i + 1}'}{out.suffix}")
                 for i in range(len(sentences))]
        for path in heatmaps(tr, sentences, paths, beam=args.beam):
            print(f"attention heatmap: {path}", file=sys.stderr)
    for results in translate(tr, sentences, beam=args.beam, n_best=args.n_best,
                             allow_unk=args.allow_unk):
        if args.n_best == 1:
            print(results[0].text)
            continue
        for rank, result in enumerate(results, start=1):
            print(f"{rank}\t{result.score:.4f}\t{result.text}")
    return 0
