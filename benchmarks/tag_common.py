"""Shared by the tagging benchmarks: train an rnnlab tagger through the one recipe and print
its test evaluation next to the most-frequent-tag baseline (same splits, same run)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rnnlab.tasks import train
from rnnlab.tasks.tag import evaluate_loaded, load_tagger


def train_and_test(config: dict[str, Any], run_dir: str | Path, name: str) -> dict[str, Any]:
    start = time.perf_counter()
    result = train(config, run_dir, kind="tag", replace=True)
    seconds = time.perf_counter() - start
    evaluation = evaluate_loaded(load_tagger(run_dir), "test")
    print(f"{name}: {seconds:.0f} s, {result.summary['steps']} steps (best at "
          f"{result.summary.get('best_step')}, {result.summary['stopped']})")
    print(evaluation.describe(), flush=True)
    return {"seconds": seconds, **evaluation.to_dict()}


def main(name: str, default_data: Path, default_output: str, config_of, run_dir: str) -> None:
    """The command line both tagging benchmarks share: --data, --output, --epochs, --seed."""
    import argparse

    import torch
    from classify_common import machine

    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=default_data)
    parser.add_argument("--output", default=default_output, choices=("softmax", "crf"))
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--run-dir", type=Path, default=Path(run_dir))
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(machine())
    config = config_of(args.data, args.output, args.seed)
    if args.epochs:
        config["train"]["epochs"] = args.epochs
    train_and_test(config, args.run_dir, f"{name}, {args.output}")
