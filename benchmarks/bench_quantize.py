"""Benchmark: dynamic int8 quantisation of a trained language model, accuracy and speed.

Run by hand (never a test), on a trained run (the example trains one on the
shipped Portuguese corpus in a few minutes on one CPU thread)::

    rnnlab lm train --corpus shipped:pt-bosque --run-dir runs/q-pt --cell lstm \\
        --hidden-size 256 --num-layers 2 --set model.embedding_size=256 --epochs 2
    python benchmarks/bench_quantize.py runs/q-pt --threads 1

For float32 (the rnnlab model) and int8 (:func:`rnnlab.models.quantized.quantize_lm`:
nn.LSTM/GRU and nn.Linear with int8 weights) it reports the test-split
perplexity (the accuracy cost), the time to score the test split (CPU time,
median of ``--rounds`` interleaved runs: B = eval_batch_size streams, the
whole-sequence path) and greedy generation speed (B = 1, one token at a time),
with the int8/float32 ratios.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace

import torch

from rnnlab.evaluation.language import evaluate_stream
from rnnlab.generation import SamplingConfig, generate
from rnnlab.models.quantized import quantize_lm
from rnnlab.tasks.lm import load_lm, prepare_data


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("run_dir")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--tokens", type=int, default=128, help="tokens generated per run")
    p.add_argument("--max-eval-tokens", type=int, default=20_000, help="test tokens scored")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    lm = load_lm(args.run_dir)
    data = prepare_data(replace(lm.data, max_train_tokens=None), lm.tokenizer)
    ids = data.ids["test"][: args.max_eval_tokens]
    models = {"float32": lm.model, "int8": quantize_lm(lm.model)}
    sampling = SamplingConfig(temperature=0.0, max_tokens=args.tokens)
    prompt = lm.tokenizer.encode("o presidente")
    jobs = {}
    for name, model in models.items():
        jobs[f"score {name}"] = lambda model=model: evaluate_stream(
            model, ids, batch_size=lm.data.eval_batch_size, bptt=lm.data.bptt)
        jobs[f"generate {name}"] = lambda model=model: list(
            generate(model, prompt, sampling, start_id=lm.tokenizer.eos_id))
    results = {name: job() for name, job in jobs.items()}  # warm-up, and the scores
    spent: dict[str, list[float]] = {name: [] for name in jobs}
    for round_ in range(args.rounds):
        for name, job in (list(jobs.items()) if round_ % 2 == 0 else list(jobs.items())[::-1]):
            t0 = time.process_time()
            job()
            spent[name].append(time.process_time() - t0)
    med = {name: statistics.median(v) for name, v in spent.items()}
    c = lm.model.config
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, {c.cell} "
          f"{c.num_layers}×{c.hidden_size}, V = {lm.tokenizer.vocab_size}, {len(ids)} test tokens")
    print(f"{'':9} {'perplexity':>11} {'score s':>8} {'gen tokens/s':>13}")
    for name in models:
        ppl = results[f"score {name}"].perplexity
        rate = args.tokens / med[f"generate {name}"]
        print(f"{name:9} {ppl:>11.2f} {med[f'score {name}']:>8.2f} {rate:>13,.0f}")
    print(f"int8 / float32: perplexity {results['score int8'].perplexity / results['score float32'].perplexity:.4f}x, "  # noqa: E501
          f"scoring time {med['score int8'] / med['score float32']:.2f}x, generation time "
          f"{med['generate int8'] / med['generate float32']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
