"""A word-level language model of Portuguese news text, from the library API.

Reads the Portuguese sentences shipped with rnnlab (UD Bosque, CC BY-SA 4.0),
builds a vocabulary, trains a small LSTM language model with the Trainer,
then asks it the course question: given a sequence of words, what is the
probability distribution of the next word?

    python examples/lm_portuguese.py            # about a minute on 2 CPU cores
    python examples/lm_portuguese.py --epochs 1 # faster
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from rnnlab.cli.lm_task import LanguageModelTask, LMDataConfig
from rnnlab.data.text import WordTokenizer, batchify, load_corpus
from rnnlab.evaluation.language import (
    evaluate_stream,
    format_table,
    next_token_distribution,
    sentence_log_prob,
    unigram_baseline,
)
from rnnlab.generation import SamplingConfig, beam_search, generate
from rnnlab.models.language_model import LanguageModel, LMConfig
from rnnlab.training import TrainConfig, Trainer, seed_everything

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--run-dir", type=Path, default=Path("runs/example-lm-pt"))
args = parser.parse_args()
seed_everything(0)

# 1. text in: sentences -> a vocabulary -> one stream of ids with <eos> after each sentence
corpus = load_corpus("shipped:pt-bosque")
tokenizer = WordTokenizer.build(corpus.train, min_freq=3, lowercase=True)
train_ids = tokenizer.encode_lines(corpus.train)
valid_ids = tokenizer.encode_lines(corpus.valid)
print(f"{len(train_ids)} training tokens, vocabulary {len(tokenizer)}")

# 2. the model: embedding -> LSTM -> softmax, with tied input/output embeddings
model = LanguageModel(
    LMConfig(
        embedding_size=128,
        hidden_size=128,
        num_layers=1,
        tie_weights=True,
        dropout_input=0.2,
        dropout_output=0.3,
    ),
    vocab_size=len(tokenizer),
)
before = evaluate_stream(model, valid_ids)
print(f"untrained: loss {before.loss:.2f} nats ≈ log V = {math.log(len(tokenizer)):.2f}")

# 3. training: 32 parallel streams, truncated BPTT over chunks of 35 words
data = LMDataConfig(batch_size=32, bptt=35)
streams = {"train": batchify(train_ids, 32), "valid": batchify(valid_ids, 10)}
task = LanguageModelTask(model, tokenizer, streams, data)
config = TrainConfig(
    epochs=args.epochs, optimizer="adam", lr=3e-3, clip_norm=0.5, carry_state=True, progress=False
)
args.run_dir.mkdir(parents=True, exist_ok=True)
tokenizer.save(args.run_dir / "tokenizer.json")
Trainer(task, config, args.run_dir).fit()

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
