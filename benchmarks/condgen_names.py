"""Surnames given their language: held-out bits per character, conditional vs unconditional.

The PyTorch tutorial's surnames (``../shared/data/pytorch-tutorial-names``, 18
languages), split by distinct name (10 % valid, 10 % test). Three models, the
same network (GRU 128, character embeddings 32) and the same CPU budget each:
the language fed at every step ("every"), the language setting the first
state only ("first"), and no language at all ("none": the unconditional
model). The condition should lower the held-out bits per character; how much
is the number this prints. Samples per language follow (temperature 0.8).

Then the share of samples that a surname classifier assigns to the requested
language (``--per-language`` samples each, temperature 0.8): the classifier (a
character BiLSTM, ``CLASSIFIER`` below, at most ``--classifier-budget`` CPU
seconds) is trained on the generators' own split (``write_split_folder``), so
it never saw the held-out names its accuracy (the ceiling) is measured on; the
unconditional model's samples give the floor. ``--reuse`` keeps runs already in
``--runs`` (the generators and the classifier) instead of training them again.

    python benchmarks/condgen_names.py --budget 90 > /tmp/condgen-names.log
"""

from __future__ import annotations

import argparse
import platform
import shutil
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from translate_common import train_within

from rnnlab.evaluation.language import format_table
from rnnlab.tasks import train
from rnnlab.tasks.classify import load_classifier
from rnnlab.tasks.condgen import (
    classifier_agreement,
    evaluate_run,
    generate_items,
    load_generator,
    write_split_folder,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "pytorch-tutorial-names"
SHOWN = ("Portuguese", "Russian", "Japanese", "Irish", "Italian", "Chinese")
CLASSIFIER = {"model": {"cell": "lstm", "hidden_size": 128, "num_layers": 1,
                        "bidirectional": True, "embedding_size": 64, "pooling": "max"},
              "data": {"batch_size": 64},
              "train": {"lr": 2e-3, "epochs": 30, "patience": 4, "progress": False}}


def judge(runs: Path, budget: float, per_language: int, reuse: bool) -> None:
    """Train the classifier on the generators' split, then the agreement of each generator."""
    split, run_dir = runs / "split", runs / "classifier"
    if not (reuse and (run_dir / "config.toml").is_file()):
        write_split_folder(load_generator(runs / "every").config["data"], split)
        config = {"task": {"kind": "classify"}, **CLASSIFIER,
                  "data": {**CLASSIFIER["data"], "path": str(split.resolve())}}
        config["train"] = {**config["train"], "max_cpu_seconds": budget}
        shutil.rmtree(run_dir, ignore_errors=True)
        train(config, run_dir)
    classifier = load_classifier(run_dir)
    floor = load_generator(runs / "none")
    for mode in ("every", "first", "none"):
        report = classifier_agreement(load_generator(runs / mode), classifier, per_language,
                                      seed=0, unconditional=None if mode == "none" else floor)
        print(f"\n{report.describe()}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--budget", type=float, default=150.0, help="CPU seconds per model")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--runs", type=Path, default=Path("runs/bench-condgen"))
    parser.add_argument("--classifier-budget", type=float, default=600.0,
                        help="CPU seconds for the surname classifier at most")
    parser.add_argument("--per-language", type=int, default=100,
                        help="samples per language the classifier judges")
    parser.add_argument("--reuse", action="store_true", help="keep the runs in --runs")
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows, samples = [], {}
    for mode in ("every", "first", "none"):
        if args.reuse and (args.runs / mode / "report.md").is_file():
            rows.append((mode, f"{evaluate_run(args.runs / mode).bpc:.4f}", "-", "-"))
            continue
        config = {"task": {"kind": "condgen"}, "data": {"path": str(args.data)},
                  "model": {"mode": mode, "hidden_size": 128, "embedding_size": 32,
                            "condition_size": 32},
                  "train": {"lr": 3e-3}, "sample": {"per_condition": 0}}
        result, cpu_s = train_within(config, args.budget, args.runs / mode)
        rows.append((mode, f"{result.report.bpc:.4f}", f"{cpu_s:.0f}",
                     result.summary.get("steps")))
        if mode != "none":
            gen = load_generator(args.runs / mode)
            samples[mode] = {lang: generate_items(gen, lang, 6) for lang in SHOWN}
        print(f"{mode}: {result.report.bpc:.4f} bits/char", flush=True)
    print(f"\nmachine: {platform.machine()}, torch {torch.__version__}, 1 thread; "
          f"{time.strftime('%Y-%m-%d')}")
    print(format_table(rows, ["condition", "test bits/char", "train CPU s", "steps"]))
    for mode, per in samples.items():
        print(f"\nsamples ({mode}, temperature 0.8, seeds 0-5)")
        print(format_table([(lang, ", ".join(names)) for lang, names in per.items()],
                           ["language", "samples"]))
    judge(args.runs, args.classifier_budget, args.per_language, args.reuse)


if __name__ == "__main__":
    main()
