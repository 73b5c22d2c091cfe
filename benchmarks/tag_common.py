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
