"""Tiny Shakespeare, character level: rnnlab's LanguageModel trained through the Trainer.

The text is split by characters as in the peer figure: the first 90% for
training, the last 10% for validation, scored as ONE stream (batch 1, state
carried over the whole tenth). Reported: validation nats per character and
bits per character (bpc = nats / ln 2), steps, wall time, characters/s.

    python benchmarks/lm_char.py --steps 300 --threads 1
    python benchmarks/lm_char.py --size 512 --layers 3 --steps 2000 --device cuda --precision bf16
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path

import torch

from rnnlab.data.text import CharTokenizer, batchify, read_text
from rnnlab.evaluation.language import evaluate_stream, unigram_baseline
from rnnlab.models.language_model import LanguageModel, LMConfig
from rnnlab.tasks.lm import LanguageModelTask, LMDataConfig, LMObjectiveConfig
from rnnlab.training import TrainConfig, Trainer

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--data", type=Path, default=SHARED / "tinyshakespeare" / "input.txt")
    p.add_argument("--size", type=int, default=256, help="embedding = hidden size")
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--bptt", type=int, default=128)
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--dropout", type=float, default=0.1, help="locked dropout, all places")
    p.add_argument("--weight-drop", type=float, default=0.0)
    p.add_argument("--device", default="cpu")
    p.add_argument("--precision", default="fp32")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--run-dir", type=Path, default=None)
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    text = read_text(args.data)
    cut = int(len(text) * 0.9)  # first 90% of the characters / last 10%
    tok = CharTokenizer.build([text[:cut]])
    train_ids, valid_ids = tok.encode(text[:cut]), tok.encode(text[cut:])
    print(
        f"Tiny Shakespeare: {len(train_ids)} training / {len(valid_ids)} validation "
        f"characters, vocabulary {len(tok)}; device {args.device}, "
        f"threads {torch.get_num_threads()}"
    )
    base = unigram_baseline(train_ids, valid_ids, len(tok))
    print(f"unigram baseline: {base.loss:.3f} nats/char = {base.bits_per_token:.3f} bpc")

    d = args.dropout
    config = LMConfig(
        cell="lstm",
        embedding_size=args.size,
        hidden_size=args.size,
        num_layers=args.layers,
        tie_weights=True,
        dropout_input=d,
        dropout_hidden=d,
        dropout_output=d,
        weight_drop=args.weight_drop,
    )
    model = LanguageModel(config, len(tok))
    data = LMDataConfig(
        path=str(args.data), level="char", batch_size=args.batch, eval_batch_size=1, bptt=args.bptt
    )
    streams = {"train": batchify(train_ids, args.batch), "valid": batchify(valid_ids, 1)}
    task = LanguageModelTask(model, tok, streams, data, LMObjectiveConfig())
    train = TrainConfig(
        epochs=1000,
        max_steps=args.steps,
        optimizer="adamw",
        lr=args.lr,
        weight_decay=0.01,
        clip_norm=1.0,
        carry_state=True,
        schedule="warmup_cosine",
        warmup_steps=min(50, args.steps // 10),
        min_lr=args.lr / 10,
        eval_every=args.steps,
        device=args.device,
        precision=args.precision,
        progress=False,
        log_every=50,
    )
    run_dir = args.run_dir or Path(tempfile.mkdtemp(prefix="lm_char_"))
    start = time.perf_counter()
    Trainer(task, train, run_dir).fit()
    seconds = time.perf_counter() - start
    score = evaluate_stream(model, valid_ids, batch_size=1, bptt=4096)
    result = {
        "model": f"{args.layers}x{args.size} LSTM, tied, locked dropout {d}, "
        f"weight drop {args.weight_drop}",
        "parameters": model.num_parameters(),
        "steps": args.steps,
        "chars_per_step": args.batch * args.bptt,
        "train_wall_s (incl. one evaluation)": round(seconds, 1),
        "valid_nats_per_char": round(score.loss, 4),
        "valid_bpc": round(score.bits_per_token, 4),
        "unigram_bpc": round(base.bits_per_token, 4),
        "device": args.device,
        "threads": torch.get_num_threads(),
        "run_dir": str(run_dir),
    }
    print(json.dumps(result, indent=1))
    assert math.isfinite(score.loss)
    if args.out:
        args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
