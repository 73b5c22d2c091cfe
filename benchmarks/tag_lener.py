"""LeNER-Br named entities (BIO, 6 types), official train/dev/test, entity-level F1 (CoNLL).

    python benchmarks/tag_lener.py [--data ../shared/data/lener-br]

Anchor (issue 12): LSTM-CRF 86.6 entity F1 (Luz de Araujo et al. 2018, with
pretrained Portuguese word vectors); target >= 86.6. A word + character-CNN
BiLSTM-CRF with BIO constraints, random init.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tag_common import main

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "lener-br"


def config(data: Path, output: str, seed: int) -> dict:
    return {
        "data": {"path": str(data), "format": "conll", "batch_size": 16},
        "model": {"cell": "lstm", "embedding_size": 100, "hidden_size": 200, "num_layers": 1,
                  "char_features": "cnn", "char_embedding_size": 30, "char_hidden_size": 50,
                  "output": output, "dropout_embedding": 0.5, "dropout_output": 0.5},
        "train": {"epochs": 8, "lr": 2e-3, "patience": 3, "progress": False, "seed": seed,
                  "log_every": 100},
    }


if __name__ == "__main__":
    main("LeNER-Br, word+char-CNN BiLSTM 1x200", DATA, "crf", config, "runs/bench/lener")
