"""``rnnlab condgen train|generate|evaluate``: sequences from a vector (a surname given a language).

::

    rnnlab condgen train --data ../shared/data/pytorch-tutorial-names --run-dir runs/names
    rnnlab condgen train --data ../shared/data/pytorch-tutorial-names --mode none \\
        --run-dir runs/names-uncond                       # the unconditional baseline
    rnnlab condgen generate runs/names --condition Portuguese -n 10 --temperature 0.8 --seed 1
    rnnlab condgen evaluate runs/names                     # held-out bits per character
    rnnlab condgen split runs/names runs/names-split       # its split, for a classifier
    rnnlab classify train --data runs/names-split --run-dir runs/names-classifier
    rnnlab condgen evaluate runs/names --classifier runs/names-classifier \
        --unconditional runs/names-uncond -n 100           # samples the classifier agrees with
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

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
    evaluate.add_argument("--classifier", type=Path, metavar="CLASSIFY_RUN",
                          help="also: the share of samples this classify run assigns to the "
                               "requested label, beside its accuracy on held-out real items")
    evaluate.add_argument("--unconditional", type=Path, metavar="RUN_DIR",
                          help="with --classifier: a model.mode=\"none\" run, the floor")
    evaluate.add_argument("-n", type=int, default=100,
                          help="with --classifier: samples per label (default: %(default)s)")
    evaluate.add_argument("--temperature", type=float, default=None,
                          help="with --classifier: sampling temperature (default: the run's)")
    evaluate.add_argument("--seed", type=int, default=0,
                          help="with --classifier: samples use seeds SEED..SEED+n-1")
    evaluate.set_defaults(func=run_evaluate)

    split = verbs.add_parser("split", help="write the run's train/valid/test items as TSV "
                                           "files (classify keeps those splits)")
    split.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    split.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    split.set_defaults(func=run_split)


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
    from rnnlab.tasks.condgen import evaluate_run, run_agreement

    if args.classifier is None:
        if args.unconditional is not None:
            raise ValueError("--unconditional needs --classifier")
        print(evaluate_run(args.run_dir, args.split, args.which, args.device).describe())
        return 0
    print(run_agreement(args.run_dir, args.classifier, args.n, args.seed, args.temperature,
                        unconditional=args.unconditional, split=args.split, which=args.which,
                        device=args.device).describe())
    return 0


def run_split(args: argparse.Namespace) -> int:
    from rnnlab.tasks.condgen import load_generator, write_split_folder

    counts = write_split_folder(load_generator(args.run_dir).config["data"], args.out_dir)
    print(f"{args.out_dir}: " + ", ".join(f"{s}.tsv {n} items" for s, n in counts.items()))
    return 0
