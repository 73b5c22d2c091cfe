"""Surname -> language (18 classes), character level, split by distinct name.

    python benchmarks/classify_surnames.py [--data ../shared/data/pytorch-tutorial-names/names]

The full lists (20,075 lines, 17,454 distinct names, 469 under two languages),
de-duplicated (majority label), split 80/10/10 by distinct name, stratified.
Anchors (issue 12): majority class 46.9%, char n-gram SVM 79.2%; target >= 82%.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from classify_common import linear_baseline, machine, show, train_and_test

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "pytorch-tutorial-names" / "names"


def config(data: Path, cell: str, seed: int) -> dict:
    return {
        "data": {"path": str(data), "level": "char", "batch_size": 64},
        "model": {"cell": cell, "embedding_size": 64, "hidden_size": 192, "num_layers": 2,
                  "bidirectional": True, "dropout": 0.2, "pooling": "max",
                  "dropout_embedding": 0.1, "dropout_output": 0.3},
        "train": {"epochs": 30, "lr": 2e-3, "patience": 6, "progress": False, "seed": seed,
                  "schedule": "plateau", "plateau_factor": 2.0, "plateau_patience": 1},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--cells", default="lstm,gru")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--run-dir", type=Path, default=Path("runs/bench/surnames"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(machine())
    base = linear_baseline(config(args.data, "lstm", args.seed), "char_wb", (1, 4),
                           lowercase=False)
    for cell in args.cells.split(","):
        rnn = train_and_test(config(args.data, cell, args.seed), args.run_dir / cell)
        show(f"surnames char BiRNN ({cell}, 2x192, max pooling)", rnn, base)


if __name__ == "__main__":
    main()
