"""PTB word-level language model: rnnlab's LanguageModel next to the plain PyTorch recipe.

Both models start from the same weights, see the same batches in the same
order, and are trained by the same loop (benchmarks/lm_common.py), in
interleaved chunks of steps; the report gives wall time per epoch (measured,
or extrapolated from the steps run), words/s, validation/test perplexity and
the rnnlab / torch.nn ratios. The recipe is pytorch/examples' word language
model: SGD, lr 20 divided by 4 when validation stops improving, clip 0.25,
bptt 35, batch 20, tied weights.

    python benchmarks/lm_ptb.py --preset small --max-steps 400 --threads 1 --agreement
    python benchmarks/lm_ptb.py --preset medium --device cuda          # 2x650, 40 epochs
    python benchmarks/lm_ptb.py --preset medium --device cuda --no-peer    # the two models in
    python benchmarks/lm_ptb.py --preset medium --device cuda --peer-only  # separate runs
    python benchmarks/lm_ptb.py --data ../shared/data/wikitext-2 --no-peer --max-steps 300
    python benchmarks/lm_ptb.py --data ../shared/data/ptb/ptb.char --no-peer   # bits per char

By default rnnlab's model uses the peer's dropout too (a new mask at every
step, on the embeddings, between layers and before the softmax, same rates), so
the two differ only in whose code runs; ``--dropout-mask locked`` gives it one
mask per sequence instead (variational dropout).
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lm_common import (
    Runner,
    TorchLM,
    copy_torch_to_rnnlab,
    evaluate,
    ppl,
    rng_state,
    train_steps,
)

from rnnlab.data.text import StreamBatches, WordTokenizer, batchify, load_corpus
from rnnlab.evaluation.language import unigram_baseline
from rnnlab.models.language_model import LanguageModel, LMConfig

PRESETS = {  # emb = hidden (tied), layers, dropout, epochs
    "small": dict(size=200, layers=2, dropout=0.2, epochs=6),
    "medium": dict(size=650, layers=2, dropout=0.5, epochs=40),
}
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--preset", choices=sorted(PRESETS), default="small")
    p.add_argument("--data", type=Path, default=SHARED / "ptb" / "ptb", help="folder/prefix")
    p.add_argument("--epochs", type=int, default=None, help="default: the preset's")
    p.add_argument("--max-steps", type=int, default=None, help="stop each model after N steps")
    p.add_argument("--chunk", type=int, default=25, help="steps per model before switching")
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=None, help="torch.set_num_threads")
    p.add_argument("--agreement", action="store_true", help="also run the Linzen probe")
    p.add_argument("--no-peer", action="store_true", help="train rnnlab's model only")
    p.add_argument("--peer-only", action="store_true",
                   help="train the torch.nn recipe only (same initial weights and batches as "
                        "rnnlab's run; for a time limit that fits one model, not both)")
    p.add_argument("--out", type=Path, default=None, help="write the results as JSON")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dropout-mask", choices=("step", "locked"), default="step",
                   help="rnnlab's dropout masks: step (new mask every step, as the peer's "
                        "nn.Dropout) or locked (one mask per sequence)")
    args = p.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    preset = PRESETS[args.preset]
    epochs = args.epochs or preset["epochs"]
    torch.manual_seed(args.seed)

    corpus = load_corpus(args.data)
    tok = WordTokenizer.build(corpus.train)
    ids = {s: tok.encode_lines(corpus.split(s)) for s in ("train", "valid", "test")}
    train = batchify(ids["train"], 20)
    valid, test = batchify(ids["valid"], 10), batchify(ids["test"], 10)
    steps_per_epoch = len(StreamBatches(train, 35))
    size, layers, dropout = preset["size"], preset["layers"], preset["dropout"]
    print(
        f"{args.data}: {len(ids['train'])} training tokens, vocabulary {len(tok)}; "
        f"{steps_per_epoch} steps per epoch; preset {args.preset}: {layers}x{size} LSTM, "
        f"tied, dropout {dropout} ({args.dropout_mask} masks); device {device}, "
        f"threads {torch.get_num_threads()}"
    )
    unigram = unigram_baseline(ids["train"], ids["valid"], len(tok))
    print(f"unigram baseline: valid perplexity {unigram.perplexity:.1f}")

    peer = TorchLM(len(tok), size, size, layers, dropout, tie=True)
    config = LMConfig(
        cell="lstm",
        embedding_size=size,
        hidden_size=size,
        num_layers=layers,
        tie_weights=True,
        dropout_input=dropout,
        dropout_hidden=dropout,
        dropout_output=dropout,
        dropout_mask=args.dropout_mask,
    )
    ours = LanguageModel(config, len(tok))
    copy_torch_to_rnnlab(peer, ours)
    if args.no_peer and args.peer_only:
        p.error("--no-peer and --peer-only leave nothing to train")
    ours, peer = ours.to(device), peer.to(device)
    start_rng = rng_state()  # each model draws its dropout masks from its own copy of this
    runners = [] if args.peer_only else [Runner("rnnlab", ours, 20.0, 0.25, rng=start_rng)]
    if not args.no_peer:
        runners.append(Runner("torch.nn", peer, 20.0, 0.25, rng=start_rng))
    best = {r.name: float("inf") for r in runners}
    history: list[dict] = []
    steps_done = 0
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        batches = StreamBatches(train, 35)
        last = len(batches)
        if args.max_steps is not None:
            last = min(last, args.max_steps - steps_done)
        if last <= 0:
            break
        for r in runners:
            r.state = None  # a new epoch starts from a zero state
        for first in range(0, last, args.chunk):
            count = min(args.chunk, last - first)
            for r in runners:
                train_steps(r, batches, first, count, device)
        steps_done += last
        row = {"epoch": epoch, "steps": steps_done}
        for r in runners:
            nats = evaluate(r.model, valid, 35, device)
            row[f"{r.name} valid ppl"] = round(ppl(nats), 2)
            row[f"{r.name} lr"] = r.lr
            if nats < best[r.name]:
                best[r.name] = nats
            else:
                r.set_lr(r.lr / 4)  # the recipe's plateau schedule
        row["elapsed s"] = round(time.perf_counter() - start, 1)
        history.append(row)
        print(json.dumps(row), flush=True)
    results = {
        "preset": args.preset,
        "dropout_mask": args.dropout_mask,
        "steps": steps_done,
        "steps_per_epoch": steps_per_epoch,
        "device": str(device),
        "threads": torch.get_num_threads(),
        "machine": platform.processor() or platform.machine(),
        "torch": torch.__version__,
        "history": history,
        "models": {},
    }
    for r in runners:
        s_per_step = r.seconds / max(len(r.losses), 1)
        results["models"][r.name] = {
            "train_seconds": round(r.seconds, 2),
            "words_per_s": round(r.tokens / r.seconds, 1),
            "s_per_epoch": round(s_per_step * steps_per_epoch, 1),
            "valid_nats": round(valid_nats := evaluate(r.model, valid, 35, device), 4),
            "valid_bits": round(valid_nats / math.log(2), 4),  # bpc for character corpora
            "valid_ppl": round(ppl(valid_nats), 2),
            "test_ppl": round(ppl(evaluate(r.model, test, 35, device)), 2),
            "last_train_loss": round(sum(r.losses[-50:]) / len(r.losses[-50:]), 4),
        }
    if args.agreement:
        from rnnlab.evaluation.agreement import agreement_accuracy, read_agreement

        items = read_agreement(SHARED / "linzen-agreement-subset", lowercase=True)
        for r in runners:
            result = agreement_accuracy(r.model, tok, items)
            results["models"][r.name]["agreement"] = {
                "accuracy": round(result.accuracy, 4),
                "scored": result.total,
                "skipped": result.skipped,
                "by_attractors": {
                    n: round(c / t, 4) for n, (c, t) in sorted(result.by_attractors.items())
                },
            }
    if len(runners) == 2:
        a, b = results["models"]["rnnlab"], results["models"]["torch.nn"]
        results["ratio_time_rnnlab_over_torch"] = round(a["train_seconds"] / b["train_seconds"], 3)
        results["ratio_valid_ppl_rnnlab_over_torch"] = round(a["valid_ppl"] / b["valid_ppl"], 3)
    print(json.dumps(results["models"], indent=1))
    for key in ("ratio_time_rnnlab_over_torch", "ratio_valid_ppl_rnnlab_over_torch"):
        if key in results:
            print(f"{key}: {results[key]}")
    if args.out:
        args.out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
