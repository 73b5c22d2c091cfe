"""Delayed recall: the long-range dependency task of the Elman / LSTM / GRU comparison.

A sequence of length T = d + 1 over an input alphabet of K symbols, M
distractors and one query token:

    t = 0        a symbol s ∈ {0 … K−1}                     (the thing to remember)
    t = 1 … d−1  distractors drawn uniformly from M others  (noise to ignore)
    t = d        the query token                           -> predict s

The loss is the cross-entropy at the last step only, J_T = −log ŷ_T[s], so
every bit of learning signal must travel d steps back through time to the
step that saw s: the distance d is exactly the length of the Jacobian product
∏_{i=1..d} ∂s_i/∂s_{i−1}. Chance accuracy is 1/K.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnnlab.cells.spec import get_cell
from rnnlab.layers import Recurrent


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


def make_layer(
    cell: str, input_size: int, hidden_size: int, forget_bias: float | None = None
) -> Recurrent:
    """An rnnlab layer of the registry ``cell``; ``forget_bias`` b sets the LSTM forget-gate and
    the GRU update-gate biases, so that at initialisation the gated cells keep ≈ σ(b) of their
    state a step (Gers et al. 2000; Jozefowicz et al. 2015 recommend b = 1; longer delays want
    more). Cells without such a gate (Elman) ignore it, so one setting serves a comparison."""
    spec = get_cell(cell)
    gated = spec.forget_gate is not None
    return Recurrent(spec, input_size, hidden_size, forget_bias=forget_bias if gated else None)


class RecallModel(nn.Module):
    """A recurrent layer and a linear read-out of its last hidden state."""

    def __init__(self, cell: str, num_symbols: int, num_distractors: int, hidden_size: int,
                 forget_bias: float | None = None) -> None:
        super().__init__()
        self.cell = cell
        self.rnn = make_layer(cell, num_symbols + num_distractors + 1, hidden_size, forget_bias)
        self.head = nn.Linear(hidden_size, num_symbols)

    def forward(self, x: Tensor) -> Tensor:
        """x (T, B, K + M + 1) -> logits (B, K) at the last step."""
        out, _ = self.rnn(x)
        return self.head(out[-1])


class RecallTask:
    """Delayed recall as a ``rnnlab.training.Task``, so the Trainer (and its logs) can run it.

    Batches are generated from a generator seeded by (seed, split, epoch): deterministic
    and indexable, as the Task contract asks.
    """

    def __init__(self, model: RecallModel, distance: int, batch_size: int = 32,
                 batches_per_epoch: int = 100, seed: int = 0, num_symbols: int = 8,
                 num_distractors: int = 8) -> None:
        self.model = model
        self.distance, self.batch_size = distance, batch_size
        self.batches_per_epoch, self.seed = batches_per_epoch, seed
        self.num_symbols, self.num_distractors = num_symbols, num_distractors

    def batches(self, split: str, epoch: int) -> list[tuple[Tensor, Tensor]]:
        offsets = {"train": 0, "valid": 1, "test": 2}
        if split not in offsets:
            raise ValueError(f"expected split in {sorted(offsets)}, got {split!r}")
        g = torch.Generator().manual_seed(
            1_000_003 * self.seed + 1009 * offsets[split] + (epoch if split == "train" else 0)
        )
        n = self.batches_per_epoch if split == "train" else 4
        return [recall_batch(self.distance, self.batch_size, g, self.num_symbols,
                             self.num_distractors) for _ in range(n)]

    def step(self, batch: tuple[Tensor, Tensor], state: object = None):
        from rnnlab.training.task import StepResult

        x, y = batch
        logits = self.model(x)
        accuracy = (logits.argmax(-1) == y).double().mean().item()
        return StepResult(loss=F.cross_entropy(logits, y), items=len(y),
                          metrics={"accuracy": accuracy})

    def eval_metrics(self, mean_loss: float) -> dict[str, float]:
        return {}
