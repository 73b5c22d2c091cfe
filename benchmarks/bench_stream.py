"""Benchmark: one-token-at-a-time generation, rnnlab against a minimal torch.nn.LSTM loop.

Run by hand (never a test)::

    python benchmarks/bench_stream.py --threads 1                 # 2×256 LSTM LM, V = 10,000
    python benchmarks/bench_stream.py --tokens 64 --rounds 5 --onnx   # + onnxruntime steps

A language model with an untrained 2-layer LSTM (E = H = 256) and V = 10,000
samples ``--tokens`` tokens (temperature 1, B = 1) after a 5-token prompt, in
four ways, interleaved round by round in one process:

* ``torch loop``: the minimal loop a user writes with torch.nn — embedding,
  ``nn.LSTM`` on one step, linear, softmax, ``torch.multinomial``;
* ``generate``: :func:`rnnlab.generation.generate` (the model's streaming
  predictor: PyTorch's cell-step kernels on weights bound once);
* ``stream``: the same predictor driven directly (``model.stream()``), with
  the same sampling as the torch loop;
* ``layer call``: ``model(token, state)`` per token (the rnnlab layer's
  single-step path inside the fused backend).

With ``--onnx`` (needs the ``onnx`` extra) the one-step ONNX graph of the same
weights (:mod:`rnnlab.tasks.export`) runs on onnxruntime fed its own argmax
("onnxruntime step"), beside the same greedy loop on PyTorch's stream ("torch
step"): per-step latency without sampling. Reported: the median over rounds
of tokens/s and of the per-round ratio to the torch loop, CPU time by default
(``--clock cpu``: this process's CPU time, robust to a shared machine).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

import torch
from torch import nn

from rnnlab.generation import SamplingConfig, generate
from rnnlab.models.language_model import LanguageModel, LMConfig


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--vocab", type=int, default=10_000)
    p.add_argument("--size", type=int, default=256, help="E = H")
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--tokens", type=int, default=128, help="tokens generated per run")
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--clock", default="cpu", choices=("cpu", "wall"))
    p.add_argument("--onnx", action="store_true", help="also time the one-step ONNX model")
    return p.parse_args(argv)


class TorchLM(nn.Module):
    """What a user writes with torch.nn: embedding, nn.LSTM, linear."""

    def __init__(self, ours: LanguageModel) -> None:
        super().__init__()
        c = ours.config
        self.embedding = nn.Embedding(ours.vocab_size, c.embedding_size)
        self.lstm = nn.LSTM(c.embedding_size, c.hidden_size, c.num_layers)
        self.decoder = nn.Linear(c.hidden_size, ours.vocab_size)
        self.embedding.load_state_dict(ours.embedding.state_dict())
        self.decoder.load_state_dict(ours.decoder.state_dict())
        for k, layer in enumerate(ours.layers):  # rnnlab's per-layer names -> torch's l{k}
            for name, p in layer.state_dict().items():
                getattr(self.lstm, name.replace("_l0", f"_l{k}")).data.copy_(p)


@torch.no_grad()
def torch_loop(model: TorchLM, prompt: list[int], tokens: int) -> list[int]:
    logits, state = None, None
    for t in prompt:
        out, state = model.lstm(model.embedding(torch.tensor([[t]])), state)
        logits = model.decoder(out[0, 0])
    made = []
    for _ in range(tokens):
        token = int(torch.multinomial(logits.softmax(-1), 1))
        made.append(token)
        out, state = model.lstm(model.embedding(torch.tensor([[token]])), state)
        logits = model.decoder(out[0, 0])
    return made


@torch.no_grad()
def stream_loop(model: LanguageModel, prompt: list[int], tokens: int) -> list[int]:
    stream = model.stream(1)
    logits = stream([[t] for t in prompt], logits=True)[0]
    made = []
    for _ in range(tokens):
        token = int(torch.multinomial(logits.softmax(-1), 1))
        made.append(token)
        logits = stream([token], logits=True)[0]
    return made


@torch.no_grad()
def layer_loop(model: LanguageModel, prompt: list[int], tokens: int) -> list[int]:
    out, state = model(torch.tensor([[t] for t in prompt]))
    logits = out[-1, 0]
    made = []
    for _ in range(tokens):
        token = int(torch.multinomial(logits.softmax(-1), 1))
        made.append(token)
        out, state = model(torch.tensor([[token]]), state)
        logits = out[0, 0]
    return made


def onnx_job(model: LanguageModel, tokens: int) -> Callable[[], None] | None:
    """The one-step ONNX graph of the same weights on onnxruntime, fed its own argmax."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        print("--onnx: onnxruntime is not installed (pip install -e '.[onnx]')", file=sys.stderr)
        return None
    import tempfile
    from pathlib import Path

    import numpy as np

    from rnnlab.tasks.export.engine import ort_session
    from rnnlab.tasks.export.graphs import LMStep, export_onnx, state_names

    names = state_names(model)
    widths = [layer.hidden_size for layer in model.layers for _ in layer.state_names]
    path = Path(tempfile.mkdtemp()) / "step.onnx"
    export_onnx(LMStep(model), (torch.zeros(2, dtype=torch.long),
                                *(torch.zeros(2, h) for h in widths)), path,
                ["token", *names], ["logits", *(n + "_out" for n in names)],
                {n: {0: "B"} for n in ["token", "logits", *names, *(n + "_out" for n in names)]})
    session = ort_session(path)

    def job() -> None:
        feed = {n: np.zeros((1, h), np.float32) for n, h in zip(names, widths, strict=True)}
        token = np.zeros(1, np.int64)
        for _ in range(tokens):
            out = session.run(None, {"token": token, **feed})
            token = out[0].argmax(-1).astype(np.int64)
            feed = dict(zip(names, out[1:], strict=True))

    return job


def torch_step_job(model: LanguageModel, tokens: int) -> Callable[[], None]:
    """PyTorch's side of the same measurement: the stream's steps, fed their own argmax."""

    def job() -> None:
        stream = model.stream(1)
        token = [0]
        for _ in range(tokens):
            token = [int(stream(token, logits=True)[0].argmax())]

    return job


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    config = LMConfig(cell="lstm", embedding_size=args.size, hidden_size=args.size,
                      num_layers=args.layers)
    ours = LanguageModel(config, args.vocab).eval()
    peer = TorchLM(ours).eval()
    prompt = [1, 2, 3, 4, 5]
    sampling = SamplingConfig(max_tokens=args.tokens, temperature=1.0)
    jobs: dict[str, Callable[[], object]] = {
        "torch loop": lambda: torch_loop(peer, prompt, args.tokens),
        "generate": lambda: list(generate(ours, prompt[1:], sampling, start_id=prompt[0])),
        "stream": lambda: stream_loop(ours, prompt, args.tokens),
        "layer call": lambda: layer_loop(ours, prompt, args.tokens),
    }
    if args.onnx:
        job = onnx_job(ours, args.tokens)
        if job is not None:  # per-step latency, greedy: model cost without sampling
            jobs["torch step"] = torch_step_job(ours, args.tokens)
            jobs["onnxruntime step"] = job
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, clock {args.clock}, "
          f"LSTM {args.layers}×{args.size}, V = {args.vocab}, {args.tokens} tokens per run")
    for job in jobs.values():
        job()  # warm-up
    spent: dict[str, list[float]] = {name: [] for name in jobs}
    order = list(jobs.items())
    for round_ in range(args.rounds):
        for name, job in order if round_ % 2 == 0 else order[::-1]:
            t0 = clock()
            job()
            spent[name].append(clock() - t0)
    base = spent["torch loop"]
    print(f"{'':18} {'tokens/s':>10} {'ms/token':>9} {'vs torch loop':>14}")
    for name, runs in spent.items():
        ratio = statistics.median(b / r for b, r in zip(base, runs, strict=True))
        rate = args.tokens / statistics.median(runs)
        print(f"{name:18} {rate:>10,.0f} {1e3 / rate:>9.3f} {ratio:>13.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
