"""Surnames given their language: held-out bits per character, conditional vs unconditional.

The PyTorch tutorial's surnames (``../shared/data/pytorch-tutorial-names``, 18
languages), split by distinct name (10 % valid, 10 % test). Three models, the
same network (GRU 128, character embeddings 32) and the same CPU budget each:
the language fed at every step ("every"), the language setting the first
state only ("first"), and no language at all ("none": the unconditional
model). The condition should lower the held-out bits per character; how much
is the number this prints. Samples per language follow (temperature 0.8).

The share of samples that a surname classifier assigns to the requested
language needs the classifier of issue 12 (``tasks/classify``): pending.

    python benchmarks/condgen_names.py --budget 150 > /tmp/condgen-names.log
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from translate_common import train_within

from rnnlab.evaluation.language import format_table
from rnnlab.tasks.condgen import generate_items, load_generator

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "pytorch-tutorial-names"
SHOWN = ("Portuguese", "Russian", "Japanese", "Irish", "Italian", "Chinese")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--budget", type=float, default=150.0, help="CPU seconds per model")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--runs", type=Path, default=Path("runs/bench-condgen"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows, samples = [], {}
    for mode in ("every", "first", "none"):
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


if __name__ == "__main__":
    main()
