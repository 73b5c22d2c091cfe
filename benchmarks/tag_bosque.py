"""UD Portuguese-Bosque UPOS tagging (CoNLL-U, official train/dev/test, syntactic words).

    python benchmarks/tag_bosque.py [--data ../shared/data/ud-portuguese-bosque]

Anchors (issue 12): most-frequent tag 87.3, UDPipe 1 96.4, UDPipe 2 98.1 UPOS accuracy;
target >= 96. A word + character-CNN BiLSTM with a softmax output, random init.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tag_common import main

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ud-portuguese-bosque"


def config(data: Path, output: str, seed: int) -> dict:
    return {
        "data": {"path": str(data), "format": "conllu", "column": "upos", "batch_size": 32},
        "model": {"cell": "lstm", "embedding_size": 100, "hidden_size": 200, "num_layers": 1,
                  "char_features": "cnn", "char_embedding_size": 30, "char_hidden_size": 50,
                  "output": output, "dropout_embedding": 0.33, "dropout_output": 0.33},
        "train": {"epochs": 12, "lr": 2e-3, "patience": 3, "progress": False, "seed": seed,
                  "log_every": 100},
    }


if __name__ == "__main__":
    main("Bosque UPOS, word+char-CNN BiLSTM 1x200", DATA, "softmax", config, "runs/bench/bosque")
