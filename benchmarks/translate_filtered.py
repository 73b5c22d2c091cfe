"""Translation on the PyTorch tutorial's filtered pairs (fr -> en), rnnlab beside the tutorial.

The data are the tutorial's: Tatoeba fra-eng, its normalisation, the "i am /
he is …" prefix filter and < 10 words (13,571 pairs), split here by distinct
French sentence (5 % valid, 5 % test). Every system gets the same CPU budget
(``--budget`` seconds of process CPU time, one thread) in this one run:

* the tutorial's exact recipe (benchmarks/translate_tutorial_peer.py), the peer;
* rnnlab encoder–decoders (GRU 256, embeddings 256): the context vector (no
  attention), Bahdanau, Luong dot and Luong general; and a tuned one
  (bidirectional encoder, Luong general, label smoothing 0.1).

Every system is scored alike: sacrebleu BLEU / chrF on the 633 test sources
against all their references; rnnlab greedy and beam 5 (length-normalised).

    python benchmarks/translate_filtered.py --budget 300 > /tmp/translate-filtered.log
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from translate_common import BASE, DECODERS, peer_row, print_tables, run_system, save_rows
from translate_tutorial_peer import train_and_translate

from rnnlab.data.text.parallel import load_parallel, references
from rnnlab.tasks.translate import TUTORIAL_PRESET

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "tatoeba-eng-fra" / "fra.txt.gz"
SYSTEMS = {**DECODERS, "tuned: bi-GRU + Luong general, ls 0.1": {
    **BASE, "attention": "luong-general", "bidirectional": True, "dropout_input": 0.2}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--budget", type=float, default=300.0, help="CPU seconds per system")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--runs", type=Path, default=Path("runs/bench-translate-filtered"))
    parser.add_argument("--only", nargs="*", default=None, help="system names to run")
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = {"path": str(args.data), **TUTORIAL_PRESET, "min_freq": 1}  # the tutorial keeps all
    split = load_parallel(args.data, normalize="tutorial", filter="tutorial-prefixes",
                          max_words=9, reverse=True, valid=0.05, test=0.05, seed=0)
    print(split.describe(), flush=True)
    sources, refs = references(split.items["test"])
    rows = []
    if args.only is None or "tutorial" in args.only:
        info = train_and_translate([(p.source, p.target) for p in split.items["train"]], sources,
                                   budget_s=args.budget)
        rows.append(peer_row(info["outputs"], sources, refs, info))
        print(f"peer: {info['epochs']} epochs, {info['steps']} steps, "
              f"{info['train_cpu_s']:.0f} CPU s, BLEU {rows[-1]['greedy'].bleu:.2f}", flush=True)
    for name, model in SYSTEMS.items():
        if args.only is not None and name not in args.only:
            continue
        objective = {"label_smoothing": 0.1} if name.startswith("tuned") else {}
        config = {"task": {"kind": "translate"}, "data": data, "model": model,
                  "translate": objective, "train": {"lr": 2e-3}, "decode": {"beam": 5}}
        rows.append(run_system(name, config, args.budget, args.runs))
        print(f"{name}: BLEU greedy {rows[-1]['greedy'].bleu:.2f} beam "
              f"{rows[-1]['beam'].bleu:.2f}, {rows[-1]['train_cpu_s']:.0f} CPU s", flush=True)
    args.runs.mkdir(parents=True, exist_ok=True)
    save_rows(args.runs / "rows.json", rows)
    text = print_tables(f"Tatoeba fr->en, tutorial filter (budget {args.budget:.0f} CPU s per "
                        "system)", rows)
    (args.runs / "table.md").write_text(text + "\n", encoding="utf-8")
    print(json.dumps({"split": split.describe()}), flush=True)


if __name__ == "__main__":
    main()
