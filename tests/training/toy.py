"""Tiny tasks for the trainer tests (no rnnlab.models: the trainer trains anything)."""

from __future__ import annotations

import math
import os
import signal

import torch
from torch import nn

from rnnlab.training import StepResult


class StreamTask:
    """Next-value prediction on a fixed random stream with an LSTM: a TBPTT task.

    The stream (N, B, 1) is cut into chunks of ``chunk_length`` steps; batch i of
    epoch e is chunk i (no shuffling, so the state can be carried across batches).
    """

    def __init__(self, seed: int = 0, steps: int = 64, batch: int = 4, chunk_length: int = 8,
                 hidden: int = 8, dropout: float = 0.0, init_seed: int | None = None) -> None:
        g = torch.Generator().manual_seed(seed)
        self.stream = torch.randn(steps + 1, batch, 1, generator=g)  # (N+1, B, 1)
        self.valid_stream = torch.randn(2 * chunk_length + 1, batch, 1, generator=g)
        torch.manual_seed(seed if init_seed is None else init_seed)
        self.model = ToyLSTM(hidden, dropout)
        self.chunk_length = chunk_length
        self.rank, self.world_size = 0, 1

    def set_shard(self, rank: int, world_size: int) -> None:
        self.rank, self.world_size = rank, world_size

    def _shard(self, x: torch.Tensor) -> torch.Tensor:
        b = x.shape[1] // self.world_size
        return x[:, self.rank * b:(self.rank + 1) * b]

    def batches(self, split: str, epoch: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
        s = self.stream if split == "train" else self.valid_stream
        s = self._shard(s)
        k = self.chunk_length
        return [(s[i:i + k], s[i + 1:i + k + 1]) for i in range(0, s.shape[0] - 1 - k + 1, k)]

    def step(self, batch, state) -> StepResult:
        x, y = batch  # (k, B, 1)
        out, state = self.model(x, state)
        loss = nn.functional.mse_loss(out, y)
        return StepResult(loss=loss, state=state, items=y.numel(), metrics={})

    def eval_metrics(self, mean_loss: float) -> dict[str, float]:
        return {"rmse": math.sqrt(mean_loss)}


class ToyLSTM(nn.Module):
    def __init__(self, hidden: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.lstm = nn.LSTM(1, hidden)
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x, state=None):
        h, state = self.lstm(x, state)  # (T, B, H)
        return self.head(self.drop(h)), state


def build(config: dict, run_dir) -> StreamTask:
    """A task builder for ``rnnlab train`` tests: ``[task] kind = "toy:build"``."""
    section = config.get("toy", {})
    return StreamTask(hidden=section.get("hidden", 8), dropout=section.get("dropout", 0.0))


class LinearTask:
    """y = w·x regression with a scripted validation loss (for schedules and stopping).

    ``valid_losses[i]`` is the validation loss of the i-th evaluation; ``bad`` maps a
    training batch index to a value (nan, inf or a large scale) put into its inputs.
    """

    def __init__(self, n_batches: int = 4, valid_losses=(), bad=None, seed: int = 0) -> None:
        g = torch.Generator().manual_seed(seed)
        self.xs = [torch.randn(5, 2, generator=g) for _ in range(n_batches)]
        self.ys = [torch.randn(5, 1, generator=g) for _ in range(n_batches)]
        torch.manual_seed(seed)
        self.model = nn.Linear(2, 1, bias=False)
        self.valid_losses = list(valid_losses)
        self.evals = 0
        self.bad = bad or {}

    def batches(self, split: str, epoch: int) -> list:
        if split == "train":
            return list(range(len(self.xs)))
        return ["v"] if self.valid_losses else []

    def step(self, batch, state) -> StepResult:
        if batch == "v":
            value = self.valid_losses[min(self.evals, len(self.valid_losses) - 1)]
            self.evals += 1
            return StepResult(loss=torch.tensor(value, dtype=torch.float64), items=1)
        x = self.xs[batch] * self.bad.get(batch, 1.0)
        loss = nn.functional.mse_loss(self.model(x), self.ys[batch])
        return StepResult(loss=loss, items=x.shape[0], metrics={"w0": self.model.weight[0, 0]})

    def eval_metrics(self, mean_loss: float) -> dict[str, float]:
        return {"twice": 2 * mean_loss}


class BypassStreamTask(StreamTask):
    """Calls the model's parts directly (``self.model.lstm``, ``self.model.head``), never
    ``self.model(...)``: under DDP the wrapper's forward is bypassed."""

    def step(self, batch, state) -> StepResult:
        x, y = batch
        h, state = self.model.lstm(x, state)
        loss = nn.functional.mse_loss(self.model.head(self.model.drop(h)), y)
        return StepResult(loss=loss, state=state, items=y.numel())


class TermAt:
    """A callback sending this process SIGTERM after step ``n``: the trainer finishes the
    step, checkpoints and stops, as under a job scheduler."""

    def __init__(self, n: int) -> None:
        self.n = n

    def on_step_end(self, trainer, step, result):
        if step == self.n:
            os.kill(os.getpid(), signal.SIGTERM)
