"""Truncated BPTT on a long stream with rnnlab's trainer, in a few seconds on a CPU.

The task: predict the next value of a noisy sum of two sines (periods 25 and
70 steps). The stream is cut into B = 8 parallel columns and then into chunks
of k1 = 10 steps; the hidden state is carried from chunk to chunk and
detached at each chunk edge (train.carry_state = true). A period of 70 steps
is longer than a chunk, so TBPTT(k1, k2) with k2 = 40 (the gradient of each
chunk's loss reaches back 4 chunks) should help against plain k1 = k2 = 10.

    python examples/tbptt_stream.py           # writes runs/tbptt_stream/{k2_10,k2_40}/
"""

from __future__ import annotations

import math
from pathlib import Path

import torch
from torch import nn

import rnnlab
from rnnlab.training import StepResult, TrainConfig, Trainer, seed_everything

STEPS, B, K1 = 4000, 8, 10  # stream length, batch columns, chunk length (k1)


def make_stream(n: int, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(n, dtype=torch.float32) + 1000.0 * torch.rand(1, generator=g)
    y = torch.sin(2 * math.pi * t / 25) + 0.7 * torch.sin(2 * math.pi * t / 70)
    return y + 0.05 * torch.randn(n, generator=g)  # (n,)


def columns(stream: torch.Tensor, batch: int) -> torch.Tensor:
    """(N,) -> (N / B, B, 1): B contiguous pieces side by side, as a TBPTT batcher does."""
    n = stream.shape[0] // batch
    return stream[: n * batch].view(batch, n).t().unsqueeze(-1)  # (T, B, 1)


class Forecaster(nn.Module):
    def __init__(self, hidden: int = 32) -> None:
        super().__init__()
        self.rnn = rnnlab.LSTM(1, hidden)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x, state=None):
        h, state = self.rnn(x, state)  # (T, B, H)
        return self.head(h), state  # (T, B, 1)


class NextValueTask:
    """A Task: chunks of k1 steps in stream order (so the state can be carried)."""

    chunk_length = K1  # k1, announced for train.bptt_k2

    def __init__(self) -> None:
        self.data = {"train": columns(make_stream(STEPS, 0), B),
                     "valid": columns(make_stream(STEPS // 4, 1), B)}
        self.model = Forecaster()

    def batches(self, split, epoch):
        s = self.data[split]
        return [(s[i:i + K1], s[i + 1:i + K1 + 1]) for i in range(0, s.shape[0] - K1, K1)]

    def step(self, batch, state):
        x, y = batch  # (k1, B, 1)
        out, state = self.model(x, state)
        return StepResult(loss=nn.functional.mse_loss(out, y), state=state, items=y.numel())

    def eval_metrics(self, mean_loss):
        return {"rmse": math.sqrt(mean_loss)}


def main() -> None:
    torch.set_num_threads(1)  # a model this small runs fastest on one thread
    root = Path("runs/tbptt_stream")
    for k2 in (K1, 4 * K1):
        seed_everything(0)  # same initial weights for both runs
        config = TrainConfig(epochs=4, optimizer="adam", lr=3e-3, clip_norm=1.0,
                             carry_state=True, bptt_k2=k2, keep_last=1, progress=False)
        run_dir = root / f"k2_{k2}"
        if run_dir.exists():
            import shutil

            shutil.rmtree(run_dir)
        summary = Trainer(NextValueTask(), config, run_dir).fit()
        print(f"TBPTT(k1={K1}, k2={k2}): valid RMSE {summary['valid']['rmse']:.4f} "
              f"after {summary['steps']} steps -> {run_dir}/")


if __name__ == "__main__":
    main()
