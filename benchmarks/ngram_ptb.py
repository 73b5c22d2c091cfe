"""Kneser–Ney n-gram language models on PTB: fit time, size, perplexity, against the anchor.

Counts orders 2 … 5 (interpolated modified Kneser–Ney, rnnlab.models.ngram) on
the PTB training stream and scores valid and test on exactly the predictions
``rnnlab lm evaluate`` scores for an RNN (10 columns). The published figure is
Mikolov et al. (2011), KN5 = 141.2 (SRILM, sentence-level contexts).

    python benchmarks/ngram_ptb.py
    python benchmarks/ngram_ptb.py --orders 5 --data ../shared/data/wikitext-2
"""

from __future__ import annotations

import argparse
import platform
import resource
import time
from pathlib import Path

from rnnlab.data.text import WordTokenizer, load_corpus
from rnnlab.evaluation.language import evaluate_counts_stream
from rnnlab.models.ngram import KneserNeyLM, NGramConfig

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
ANCHOR = {5: 141.2}  # Mikolov et al. 2011, PTB test


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--data", type=Path, default=SHARED / "ptb" / "ptb")
    p.add_argument("--orders", default="2,3,4,5")
    args = p.parse_args()
    corpus = load_corpus(args.data)
    tokenizer = WordTokenizer.build(corpus.train)
    ids = {s: tokenizer.encode_lines(corpus.split(s)) for s in ("train", "valid", "test")}
    print(f"{args.data}: {len(ids['train'])} training tokens, vocabulary {len(tokenizer)}; "
          f"{platform.processor() or platform.machine()}, one process")
    print("| order | n-grams stored | fit s | score s (valid + test) | valid ppl | test ppl | "
          "published |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for order in (int(o) for o in args.orders.split(",")):
        start = time.process_time()
        model = KneserNeyLM.fit(ids["train"], len(tokenizer), NGramConfig(order=order))
        fit = time.process_time() - start
        start = time.process_time()
        valid = evaluate_counts_stream(model, ids["valid"], batch_size=10)
        test = evaluate_counts_stream(model, ids["test"], batch_size=10)
        score = time.process_time() - start
        grams = sum(len(t.keys) for t in model.tables)
        anchor = ANCHOR.get(order)
        print(f"| {order} | {grams:,} | {fit:.2f} | {score:.2f} | {valid.perplexity:.2f} | "
              f"{test.perplexity:.2f} | {anchor if anchor else '–'} |", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory {peak:.0f} MiB (CPU seconds: time.process_time)")


if __name__ == "__main__":
    main()
