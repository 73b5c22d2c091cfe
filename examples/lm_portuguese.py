"""A word-level language model of Portuguese news text, from the library API.

Reads the Portuguese sentences shipped with rnnlab (UD Bosque, CC BY-SA 4.0),
builds a vocabulary, trains a small LSTM language model with rnnlab's one
train recipe (``rnnlab.tasks.train``, what ``rnnlab lm train`` runs),
then asks it the course question: given a sequence of words, what is the
probability distribution of the next word?

    python examples/lm_portuguese.py            # about a minute on 2 CPU cores
    python examples/lm_portuguese.py --epochs 1 # faster
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from rnnlab.evaluation.language import (
    evaluate_stream,
    format_table,
    next_token_distribution,
    sentence_log_prob,
    unigram_baseline,
)
from rnnlab.generation import SamplingConfig, beam_search, generate
from rnnlab.tasks import train
from rnnlab.tasks.lm import load_lm, prepare_data
from rnnlab.tasks.lm.config import LMDataConfig

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--run-dir", type=Path, default=Path("runs/example-lm-pt"))
args = parser.parse_args()

# 1. text in: sentences -> a vocabulary -> one stream of ids with <eos> after each sentence
data = {"path": "shipped:pt-bosque", "min_freq": 3, "lowercase": True, "batch_size": 32,
        "bptt": 35}  # 32 parallel streams, truncated BPTT over chunks of 35 words
prepared = prepare_data(LMDataConfig(**data))
tokenizer, train_ids, valid_ids = prepared.tokenizer, prepared.ids["train"], prepared.ids["valid"]
print(f"{len(train_ids)} training tokens, vocabulary {len(tokenizer)}")
print(f"an untrained model's loss is ≈ log V = {math.log(len(tokenizer)):.2f} nats")

# 2. the model (embedding -> LSTM -> softmax, tied input/output embeddings) and 3. training:
#    one config, the same recipe as `rnnlab lm train` (the run directory keeps everything)
config = {
    "task": {"kind": "lm"},
    "data": data,
    "model": {"embedding_size": 128, "hidden_size": 128, "num_layers": 1, "tie_weights": True,
              "dropout_input": 0.2, "dropout_output": 0.3},
    "train": {"epochs": args.epochs, "optimizer": "adam", "lr": 3e-3, "clip_norm": 0.5,
              "progress": False, "seed": 0},
}
train(config, args.run_dir, replace=True)
model = load_lm(args.run_dir).model  # the weights with the best validation loss

# 4. how good is it? perplexity next to the unigram baseline
after = evaluate_stream(model, valid_ids)
unigram = unigram_baseline(train_ids, valid_ids, len(tokenizer))
print(f"valid perplexity: model {after.perplexity:.1f}, unigram {unigram.perplexity:.1f}")

# 5. the next-word distribution
for prompt in ("Fui ao posto de gasolina abastecer o", "o presidente da"):
    top = next_token_distribution(model, tokenizer.encode(prompt), start_id=tokenizer.eos_id)
    print(f"\n{prompt} ___")
    print(format_table([(tokenizer.vocab[i], f"{p:.3f}") for i, p in top[:5]], ["next", "p"]))

# 6. sentence probabilities: a grammatical order should be more probable
for sentence in ("o governo disse que não", "que governo não o disse"):
    logp = sentence_log_prob(
        model, tokenizer.encode(sentence), start_id=tokenizer.eos_id, end_id=tokenizer.eos_id
    )
    print(f"log p({sentence!r}) = {logp:.2f}")

# 7. text out: sampling (streamed token by token) and beam search
sampling = SamplingConfig(
    temperature=0.8, top_p=0.9, max_tokens=25, seed=0, banned=(tokenizer.unk_id,)
)
print("\nsample: o governo", end=" ", flush=True)
for token in generate(model, tokenizer.encode("o governo"), sampling, start_id=tokenizer.eos_id):
    print(tokenizer.decode([token]).replace("\n", " / "), end=" ", flush=True)
best = beam_search(
    model,
    tokenizer.encode("o governo"),
    start_id=tokenizer.eos_id,
    eos_id=tokenizer.eos_id,
    beam_width=4,
    max_tokens=12,
    banned=(tokenizer.unk_id,),
)
print(f"\nbeam search: o governo {tokenizer.decode(best[0].ids).strip()}")
