"""Translation on the whole Tatoeba file (en -> fr, sentences of at most --max-words words).

All 167,130 pairs of ``../shared/data/tatoeba-eng-fra`` (text as written, NFC),
capped at ``--max-words`` words on each side, split by distinct English
sentence (5 % valid, 5 % test); word level, lower-cased (scored
case-insensitively), at most ``--vocab`` words per language. The four decoders
of the issue's table, each with the same CPU budget: the context vector (no
attention), Bahdanau, Luong dot and Luong general (GRU 256, embeddings 256),
greedy and beam 5, scored on ``--eval-sentences`` evenly spaced test sources
(the file is sorted by length) against all their references. No published
figure exists for a small RNN on this file; OPUS-MT's Transformer (en->fr BLEU
≈ 50.5 on the Tatoeba test, far more data) is a ceiling, not a peer.

    python benchmarks/translate_full.py --budget 300 > /tmp/translate-full.log
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from translate_common import DECODERS, print_tables, run_system, save_rows

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "tatoeba-eng-fra" / "fra.txt.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--budget", type=float, default=300.0, help="CPU seconds per system")
    parser.add_argument("--max-words", type=int, default=15)
    parser.add_argument("--vocab", type=int, default=8000, help="words per language at most")
    parser.add_argument("--eval-sentences", type=int, default=1000)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--runs", type=Path, default=Path("runs/bench-translate-full"))
    parser.add_argument("--only", nargs="*", default=None, help="system names to run")
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = {"path": str(args.data), "max_words": args.max_words, "max_vocab": args.vocab,
            "min_freq": 2, "lowercase": True}
    rows = []
    for name, model in DECODERS.items():
        if args.only is not None and name not in args.only:
            continue
        config = {"task": {"kind": "translate"}, "data": data, "model": model,
                  "train": {"lr": 2e-3, "eval_every": 500},
                  "decode": {"beam": 5, "eval_sentences": args.eval_sentences, "heatmaps": 3}}
        rows.append(run_system(name, config, args.budget, args.runs))
        print(f"{name}: BLEU greedy {rows[-1]['greedy'].bleu:.2f} beam "
              f"{rows[-1]['beam'].bleu:.2f}, {rows[-1]['train_cpu_s']:.0f} CPU s", flush=True)
        args.runs.mkdir(parents=True, exist_ok=True)
        save_rows(args.runs / "rows.json", rows)
    text = print_tables(f"Tatoeba en->fr, all pairs of <= {args.max_words} words (budget "
                        f"{args.budget:.0f} CPU s per system)", rows)
    (args.runs / "table.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
