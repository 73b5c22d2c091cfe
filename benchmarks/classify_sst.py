"""SST-5 and SST-2 sentence classification, random init vs. transfer from a language model.

    python benchmarks/classify_sst.py [--sst ../shared/data/sst] [--ptb ../shared/data/ptb]
                                      [--lm-epochs 2] [--phrases]

1. A word-level LSTM language model (1x128, tied, E = H = 128) trained on the
   first ``--lm-tokens`` (500 k) tokens of PTB's training text (10 k words,
   lower-cased) for ``--lm-epochs`` (1): what the shared 2-core CPU allowed
   (WikiText-2 is 2x PTB's tokens and 3x its vocabulary). Reused if its run
   directory exists.
2. For SST-5 and SST-2 (official split; valid/test at sentence level): a 1x128
   LSTM classifier (max pooling) from random init, and the same from the LM
   (embeddings mapped by token, the layer copied; ULMFiT's gradual unfreezing and
   discriminative rates, decay 2.6), beside a TF-IDF uni+bigram linear SVM on the
   same splits. ``--phrases`` trains on every labelled phrase of the training
   trees (the protocol of the published LSTM numbers) instead of the sentences.

Anchors (issue 12): SST-5 LSTM 46.4 / BiLSTM 49.1, SST-2 LSTM 84.9 / BiLSTM 87.5
(all phrases, pretrained word vectors); targets with LM transfer: SST-5 >= 46, SST-2 >= 85.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from classify_common import linear_baseline, machine, show, train_and_test

from rnnlab.tasks import train

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
SIZE = 128


def lm_config(ptb: Path, epochs: int, tokens: int) -> dict:
    return {
        "data": {"path": str(ptb / "ptb"), "batch_size": 32, "bptt": 35,
                 "max_train_tokens": tokens},
        "model": {"cell": "lstm", "embedding_size": SIZE, "hidden_size": SIZE, "num_layers": 1,
                  "tie_weights": True, "dropout_input": 0.2, "dropout_output": 0.3},
        "train": {"epochs": epochs, "optimizer": "adam", "lr": 3e-3, "clip_norm": 0.5,
                  "carry_state": True, "progress": False, "log_every": 200},
    }


def sst_config(sst: Path, classes: int, phrases: bool, lm: Path | None, seed: int) -> dict:
    config = {
        "data": {"path": str(sst), "level": "word", "split": "whitespace", "lowercase": True,
                 "sst_classes": classes, "sst_phrases": phrases, "batch_size": 32},
        "model": {"cell": "lstm", "embedding_size": SIZE, "hidden_size": SIZE, "num_layers": 1,
                  "pooling": "max", "dropout_embedding": 0.3, "dropout_output": 0.3},
        "train": {"epochs": 4 if phrases else 12, "lr": 1e-3, "patience": 3, "progress": False,
                  "seed": seed, "log_every": 200},
    }
    if lm is not None:
        config["transfer"] = {"from_lm": str(lm), "unfreeze": "gradual", "lr_decay": 2.6}
    return config


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sst", type=Path, default=SHARED / "sst")
    parser.add_argument("--ptb", type=Path, default=SHARED / "ptb")
    parser.add_argument("--lm-epochs", type=int, default=1)
    parser.add_argument("--lm-tokens", type=int, default=500_000)
    parser.add_argument("--classes", default="5,2")
    parser.add_argument("--phrases", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--run-dir", type=Path, default=Path("runs/bench/sst"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(machine())
    lm_dir = args.run_dir / "lm-ptb"
    if not (lm_dir / "report.md").is_file():
        start = time.perf_counter()
        lm = lm_config(args.ptb, args.lm_epochs, args.lm_tokens)
        result = train(lm, lm_dir, kind="lm", replace=True)
        print(f"LM on PTB: {time.perf_counter() - start:.0f} s, {result.summary['steps']} steps, "
              f"valid perplexity {result.summary['valid']['perplexity']:.1f}", flush=True)
    protocol = "all phrases" if args.phrases else "sentences"
    for classes in (int(c) for c in args.classes.split(",")):
        base = linear_baseline(sst_config(args.sst, classes, args.phrases, None, args.seed),
                               "word", (1, 2))
        for name, lm in (("random init", None), ("from the PTB LM", lm_dir)):
            run = args.run_dir / f"sst{classes}-{'phrases' if args.phrases else 'sent'}-" \
                                 f"{'lm' if lm else 'random'}"
            rnn = train_and_test(sst_config(args.sst, classes, args.phrases, lm, args.seed), run)
            show(f"SST-{classes} ({protocol}), LSTM 1x{SIZE}, {name}", rnn, base)


if __name__ == "__main__":
    main()
