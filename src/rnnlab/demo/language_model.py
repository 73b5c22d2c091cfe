"""Demo section "language-model": a small word-level LSTM on Portuguese news sentences.

Trains on the shipped UD Bosque sentences (``shipped:pt-bosque``) through the
same recipe as ``rnnlab lm train`` (:func:`rnnlab.tasks.train`), prints the
validation perplexity twice per epoch next to the unigram baseline, then a
sample and next-word tables,
including the course example "Fui ao posto de gasolina abastecer o ___".
"""

from __future__ import annotations

import math
import time
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
    from rnnlab.evaluation.language import format_table, unigram_baseline
    from rnnlab.generation import SamplingConfig
    from rnnlab.tasks import resolve_config, train
    from rnnlab.tasks.lm import generate_text, load_lm, next_words, prepare_data

    config = resolve_config(recipe(quick), kind="lm")
    data = config["data"]
    prepared = prepare_data(data)  # the same tokenizer and ids the run will build
    tok = prepared.tokenizer
    per_epoch = -(-(len(prepared.ids["train"]) // data.batch_size - 1) // data.bptt)
    config = resolve_config(recipe(quick), kind="lm",
                            overrides=[f"train.eval_every={max(1, -(-per_epoch // 2))}"])
    base = unigram_baseline(prepared.ids["train"], prepared.ids["valid"], tok.vocab_size)
    m = config["model"]
    print(
        f"corpus: UD Portuguese-Bosque sentences (CC BY-SA 4.0), {len(prepared.ids['train'])} "
        f"training tokens, vocabulary {tok.vocab_size} (lower-cased, words seen >= 3 times)"
    )
    print(f"model: {m.cell.upper()} {m.num_layers}x{m.hidden_size}, tied embeddings")
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

    train(config, run_dir, callbacks=[Report()])
    lm = load_lm(run_dir, "best")
    print(f"{lm.model.num_parameters():,} parameters, backend {lm.model.backend_used}")
    sample = SamplingConfig(temperature=0.8, top_k=40, max_tokens=30, seed=1)
    prompt = "o governo"
    text = "".join(generate_text(lm, prompt, sample)).replace("\n", " / ")
    print(f"\nsample (temperature 0.8, top-k 40, seed 1):\n  {prompt} {text}")
    for prompt in PROMPTS:
        print()
        print(next_words(lm, prompt, k=5).describe(tok.vocab_size))
    print(f'\nrun directory: {run_dir} (try: rnnlab lm next {run_dir} "o presidente da")')
