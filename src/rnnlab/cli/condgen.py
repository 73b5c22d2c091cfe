"""``rnnlab condgen train|generate|evaluate``: sequences from a vector (a surname given a language).

::

    rnnlab condgen train --data ../shared/data/pytorch-tutorial-names --run-dir runs/names
    rnnlab condgen train --data ../shared/data/pytorch-tutorial-names --mode none \\
        --run-dir runs/names-uncond                       # the unconditional baseline
    rnnlab condgen generate runs/names --condition Portuguese -n 10 --temperature 0.8 --seed 1
    rnnlab condgen evaluate runs/names                     # held-out bits per character
"""

from __future__ import annotations

import argparse
from dataclasses import replace

from rnnlab.cli.arguments import (
    MODEL_FLAGS,
    add_run_dir_args,
    add_training_flags,
    flag_values,
    train_and_report,
)

CONDGEN_FLAGS = {**MODEL_FLAGS, "data": ("data", "path"), "mode": ("model", "mode")}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "condgen", help="conditional generation: a sequence from a vector (class or features)")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)

    train = verbs.add_parser("train", help="train a conditional generator into a run directory")
    add_training_flags(train)
    train.add_argument("--data", help="data.path: a folder of <Label>.txt files")
    train.add_argument("--mode", choices=("first", "every", "none"),
                       help="model.mode: the condition sets the first state, is fed at every "
                            "step, or is not used (the unconditional baseline)")
    train.set_defaults(func=run_train)

    gen = verbs.add_parser("generate", help="sample items for a condition")
    add_run_dir_args(gen)
    gen.add_argument("--condition", required=True, help="a label of the run (e.g. Portuguese)")
    gen.add_argument("-n", type=int, default=10, help="how many samples")
    gen.add_argument("--start", default="", help="the first characters of every sample")
    gen.add_argument("--temperature", type=float, default=None, help="0 = greedy")
    gen.add_argument("--top-k", type=int, default=None, help="0 = no top-k filter")
    gen.add_argument("--seed", type=int, default=None, help="same seed, same samples")
    gen.set_defaults(func=run_generate)

    evaluate = verbs.add_parser("evaluate", help="held-out bits per character, and samples")
    add_run_dir_args(evaluate)
    evaluate.add_argument("--split", default="test", choices=("valid", "test"))
    evaluate.set_defaults(func=run_evaluate)


def run_train(args: argparse.Namespace) -> int:
    return train_and_report(args, "condgen", flag_values(args, CONDGEN_FLAGS))


def run_generate(args: argparse.Namespace) -> int:
    from rnnlab.tasks.condgen import generate_items, load_generator

    if args.n < 1:
        raise ValueError(f"expected -n >= 1, got {args.n}")
    gen = load_generator(args.run_dir, args.which, args.device)
    given = {"temperature": args.temperature, "top_k": args.top_k, "seed": args.seed}
    sample = replace(gen.config["sample"], **{k: v for k, v in given.items() if v is not None})
    for item in generate_items(gen, args.condition, args.n, sample=sample, start=args.start):
        print(item)
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from rnnlab.tasks.condgen import evaluate_run

    print(evaluate_run(args.run_dir, args.split, args.which, args.device).describe())
    return 0
