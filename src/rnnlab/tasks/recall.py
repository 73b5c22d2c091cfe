"""Delayed recall as a task: the long-range dependency that separates Elman from LSTM and GRU.

A sequence of length T = d + 1 over an input alphabet of K symbols, M
distractors and one query token:

    t = 0        a symbol s ∈ {0 … K−1}                     (the thing to remember)
    t = 1 … d−1  distractors drawn uniformly from M others  (noise to ignore)
    t = d        the query token                           -> predict s

The loss is the cross-entropy at the last step only, J_T = −log ŷ_T[s], so
every bit of learning signal must travel d steps back through time to the
step that saw s: the distance d is exactly the length of the Jacobian product
∏_{i=1..d} ∂s_i/∂s_{i−1}. Chance accuracy is 1/K. ``rnnlab diagnose compare``
trains every cell on it through this task.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnnlab.cells.init import check_forget_bias
from rnnlab.cells.spec import get_cell
from rnnlab.layers import Recurrent
from rnnlab.tasks.kind import ConfigSchema, TaskKind
from rnnlab.training.task import StepResult

if TYPE_CHECKING:
    from rnnlab.tasks.config import RunConfig

SPLIT_OFFSET = {"train": 0, "valid": 1, "test": 2}


@dataclass(frozen=True)
class RecallConfig:
    """``[recall]``: the sequences."""

    distance: int = 10  # d: steps between the symbol and the query
    num_symbols: int = 8  # K: chance accuracy 1/K
    num_distractors: int = 8  # M
    batch_size: int = 32  # sequences per step
    batches_per_epoch: int = 100  # training steps per epoch (fresh sequences every step)
    eval_batches: int = 4  # batches of the valid and test splits

    def __post_init__(self) -> None:
        for name in ("distance", "num_symbols", "num_distractors", "batch_size",
                     "batches_per_epoch", "eval_batches"):
            if getattr(self, name) < 1:
                raise ValueError(f"[recall] {name}: expected >= 1, got {getattr(self, name)}")


@dataclass(frozen=True)
class RecallModelConfig:
    """``[model]``: one recurrent layer and a linear read-out of its last state."""

    cell: str = "lstm"  # a registered cell name
    hidden_size: int = 32  # H
    forget_bias: float | None = None  # LSTM forget / GRU update gate bias at init (None: PyTorch)

    def __post_init__(self) -> None:
        if self.hidden_size < 1:
            raise ValueError(f"[model] hidden_size: expected >= 1, got {self.hidden_size}")
        check_forget_bias(get_cell(self.cell), self.forget_bias, bias=True)


def recall_batch(distance: int, batch_size: int, generator: torch.Generator,
                 num_symbols: int = 8, num_distractors: int = 8) -> tuple[Tensor, Tensor]:
    """(x one-hot (d + 1, B, K + M + 1), targets (B,)) for one batch."""
    if distance < 1:
        raise ValueError(f"expected distance >= 1, got {distance}")
    K, M = num_symbols, num_distractors
    s = torch.randint(0, K, (batch_size,), generator=generator)  # the symbol to recall
    noise = torch.randint(K, K + M, (distance - 1, batch_size), generator=generator)
    query = torch.full((1, batch_size), K + M)
    tokens = torch.cat([s[None], noise, query])  # (d + 1, B)
    return F.one_hot(tokens, K + M + 1).float(), s


class RecallModel(nn.Module):
    """A recurrent layer and a linear read-out of its last hidden state."""

    def __init__(self, config: RecallModelConfig, num_symbols: int, num_distractors: int) -> None:
        super().__init__()
        self.config = config
        self.rnn = Recurrent(config.cell, num_symbols + num_distractors + 1, config.hidden_size,
                             forget_bias=config.forget_bias)
        self.head = nn.Linear(config.hidden_size, num_symbols)

    def forward(self, x: Tensor) -> Tensor:
        """x (T, B, K + M + 1) -> logits (B, K) at the last step."""
        out, _ = self.rnn(x)
        return self.head(out[-1])


class RecallTask:
    """Batches from a generator seeded by (seed, split, epoch): deterministic and indexable."""

    def __init__(self, model: RecallModel, config: RecallConfig, seed: int = 0) -> None:
        self.model, self.config, self.seed = model, config, seed

    def batches(self, split: str, epoch: int) -> list[tuple[Tensor, Tensor]]:
        if split not in SPLIT_OFFSET:
            raise ValueError(f"expected split in {sorted(SPLIT_OFFSET)}, got {split!r}")
        c = self.config
        g = torch.Generator().manual_seed(
            1_000_003 * self.seed + 1009 * SPLIT_OFFSET[split] + (epoch if split == "train" else 0)
        )
        n = c.batches_per_epoch if split == "train" else c.eval_batches
        return [recall_batch(c.distance, c.batch_size, g, c.num_symbols, c.num_distractors)
                for _ in range(n)]

    def step(self, batch: tuple[Tensor, Tensor], state: Any = None) -> StepResult:
        x, y = batch
        logits = self.model(x)
        accuracy = (logits.argmax(-1) == y).double().mean().item()
        return StepResult(loss=F.cross_entropy(logits, y), items=len(y),
                          metrics={"accuracy": accuracy})

    def eval_metrics(self, mean_loss: float) -> dict[str, float]:
        return {}


def build(config: RunConfig, run_dir: Path) -> RecallTask:
    recall = config["recall"]
    model = RecallModel(config["model"], recall.num_symbols, recall.num_distractors)
    return RecallTask(model, recall, config.train.seed)


def load_model(run_dir: str | Path, which: str = "best") -> RecallModel:
    """The trained model of a recall run, from its config.toml and a checkpoint."""
    from rnnlab.tasks.config import read_run_config
    from rnnlab.training.checkpoint import load_weights

    config = read_run_config(run_dir, SCHEMA)
    recall = config["recall"]
    model = RecallModel(config["model"], recall.num_symbols, recall.num_distractors)
    load_weights(model, run_dir, which)
    return model.eval()


def accuracy(model: RecallModel, batches: list[tuple[Tensor, Tensor]]) -> float:
    """The share of sequences whose symbol the model recalls."""
    was_training = model.training
    model.eval()
    right = total = 0
    with torch.no_grad():
        for x, y in batches:
            right += int((model(x).argmax(-1) == y).sum())
            total += len(y)
    model.train(was_training)
    return right / total


SCHEMA = ConfigSchema(
    name="recall",
    sections={"recall": RecallConfig, "model": RecallModelConfig},
    train_defaults={"epochs": 1, "lr": 3e-3, "progress": False},
)
KIND = TaskKind(
    schema=SCHEMA,
    build=build,
    description="delayed recall: remember a symbol across d distractor steps (long dependencies)",
    load_model=load_model,
)
