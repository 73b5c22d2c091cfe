"""Demo section "language-model": a small word-level LSTM on Portuguese news sentences.

Trains on the shipped UD Bosque sentences (``shipped:pt-bosque``) through the
same path as ``rnnlab lm train``, prints the validation perplexity after each
epoch next to the unigram baseline, then a sample and next-word tables,
including the course example "Fui ao posto de gasolina abastecer o ___".
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

# the CPU-sized recipe (docs/benchmarks.md, "Language models"); quick: seconds, for tests
RECIPE = {
    "data": {
        "path": "shipped:pt-bosque",
        "lowercase": True,
        "min_freq": 3,
        "batch_size": 32,
        "eval_batch_size": 10,
        "bptt": 35,
    },
    "model": {
        "cell": "lstm",
        "embedding_size": 128,
        "hidden_size": 128,
        "num_layers": 1,
        "tie_weights": True,
        "dropout_output": 0.1,
    },
    "train": {
        "epochs": 2,
        "optimizer": "adam",
        "lr": 5e-3,
        "clip_norm": 0.5,
        "carry_state": True,
        "progress": False,
        "seed": 0,
    },
}
QUICK = {
    "data": {"max_train_tokens": 4000},
    "model": {"embedding_size": 32, "hidden_size": 32},
    "train": {"epochs": 2},
}
PROMPTS = ("Fui ao posto de gasolina abastecer o", "o presidente da")


def recipe(quick: bool) -> dict[str, Any]:
    config = {k: dict(v) for k, v in RECIPE.items()}
    if quick:
        for section, values in QUICK.items():
            config[section].update(values)
    return config


def section(run_dir: Path, quick: bool) -> None:
    from rnnlab.cli.lm import lm_config
    from rnnlab.cli.lm_task import build_lm_task, load_lm
    from rnnlab.config import from_dict
    from rnnlab.evaluation.language import (
        format_table,
        next_token_distribution,
        unigram_baseline,
    )
    from rnnlab.generation import SamplingConfig, generate
    from rnnlab.training import TrainConfig, Trainer, seed_everything

    config = lm_config(recipe(quick), [])
    train_cfg = from_dict(TrainConfig, config["train"])
    seed_everything(train_cfg.seed)
    task = build_lm_task(config, run_dir)
    per_epoch = len(task.batches("train", 0))
    train_cfg = replace(train_cfg, eval_every=max(1, -(-per_epoch // 2)))  # twice per epoch
    tok = task.tokenizer
    train_ids = task.streams["train"].t().flatten().tolist()
    valid_ids = task.streams["valid"].t().flatten().tolist()
    base = unigram_baseline(train_ids, valid_ids, tok.vocab_size)
    m = task.model
    print(
        f"corpus: UD Portuguese-Bosque sentences (CC BY-SA 4.0), {len(train_ids)} training "
        f"tokens, vocabulary {tok.vocab_size} (lower-cased, words seen >= 3 times)"
    )
    print(
        f"model: {m.config.cell.upper()} {m.config.num_layers}x{m.config.hidden_size}, "
        f"tied embeddings, {m.num_parameters():,} parameters, backend {m.backend_used}"
    )
    print(
        f"step-0 sanity: a fresh model is near-uniform, loss ≈ log V = "
        f"{math.log(tok.vocab_size):.2f} nats"
    )
    print(f"unigram baseline on valid: perplexity {base.perplexity:.1f}")
    print(format_table([], ["epoch", "valid perplexity", "unigram", "seconds"]).splitlines()[0])
    start = time.perf_counter()

    class Report:
        def on_eval_end(self, trainer: Any, metrics: dict[str, float]) -> None:
            epoch = trainer.step / per_epoch
            print(
                f"{epoch:<5.1f}  {metrics['perplexity']:<16.1f}  {base.perplexity:<7.1f}  "
                f"{time.perf_counter() - start:.0f}",
                flush=True,
            )

    Trainer(
        task,
        train_cfg,
        run_dir,
        extra_config={k: v for k, v in config.items() if k != "train"},
        callbacks=[Report()],
    ).fit()
    lm = load_lm(run_dir, "best")
    sample = SamplingConfig(temperature=0.8, top_k=40, max_tokens=30, seed=1, banned=(tok.unk_id,))
    prompt = "o governo"
    made = list(generate(lm.model, tok.encode(prompt), sample, start_id=tok.eos_id))
    text = tok.decode(made).replace("\n", " / ")
    print(f"\nsample (temperature 0.8, top-k 40, seed 1):\n  {prompt} {text}")
    for prompt in PROMPTS:
        ids = tok.encode(prompt)
        top = next_token_distribution(lm.model, ids, start_id=tok.eos_id, k=6)
        unknown = [w for w, i in zip(tok.split(prompt), ids, strict=True) if i == tok.unk_id]
        note = f"   (read as <unk>: {', '.join(unknown)})" if unknown else ""
        print(f"\n{prompt} ___{note}")
        words = [(tok.vocab[i], f"{p:.4f}") for i, p in top if i != tok.unk_id][:5]
        print(format_table(words, ["next", "p"]))
        unk = [p for i, p in top if i == tok.unk_id]
        if unk:  # the mass of all rare words together: honest, but not a word to show
            print(f"(<unk>, any word outside the {tok.vocab_size}-word vocabulary: {unk[0]:.4f})")
    print(f'\nrun directory: {run_dir} (try: rnnlab lm next {run_dir} "o presidente da")')
