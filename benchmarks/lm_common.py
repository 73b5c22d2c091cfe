"""Shared pieces of the language-model benchmarks: the plain PyTorch peer and one training loop.

The peer is the pytorch/examples word-language-model recipe (Embedding ->
Dropout -> nn.LSTM(num_layers, dropout) -> Dropout -> Linear, optionally tied).
Both it and rnnlab's LanguageModel are trained by :func:`train_steps` below,
on the same batches in the same order, interleaved in chunks of steps so that
a noisy shared machine slows both alike; each model's time is summed over its
own chunks only. Each model draws its dropout masks from its own copy of the
random-number stream, started alike, so where both drop the same tensors in the
same order (step masks) they see the same masks and train identically.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnnlab.data.text import StreamBatches
from rnnlab.training import detach_state

RngState = tuple[Tensor, "Tensor | None"]  # (CPU generator state, CUDA state or None)


class TorchLM(nn.Module):
    """The plain PyTorch recipe (pytorch/examples word_language_model, LSTM variant)."""

    def __init__(
        self, vocab: int, emb: int, hidden: int, layers: int, dropout: float, tie: bool
    ) -> None:
        super().__init__()
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(vocab, emb)
        self.rnn = nn.LSTM(emb, hidden, layers, dropout=dropout)
        self.decoder = nn.Linear(hidden, vocab)
        if tie:
            if hidden != emb:
                raise ValueError("tying needs hidden == emb in the plain recipe")
            self.decoder.weight = self.encoder.weight
        nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)
        if not tie:
            nn.init.uniform_(self.decoder.weight, -0.1, 0.1)

    def forward(self, tokens: Tensor, state=None):
        x = self.drop(self.encoder(tokens))  # (T, B, E)
        out, state = self.rnn(x, state)  # (T, B, H)
        return self.decoder(self.drop(out)), state  # (T, B, V)


def copy_torch_to_rnnlab(peer: TorchLM, model: nn.Module) -> None:
    """Start rnnlab's model from the peer's initial weights (same numbers, same start)."""
    with torch.no_grad():
        model.embedding.weight.copy_(peer.encoder.weight)
        model.decoder.bias.copy_(peer.decoder.bias)
        if model.decoder.weight is not model.embedding.weight:
            model.decoder.weight.copy_(peer.decoder.weight)
        for layer_index, layer in enumerate(model.layers):
            for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(layer, f"{kind}_l0").copy_(getattr(peer.rnn, f"{kind}_l{layer_index}"))


@dataclass
class Runner:
    """One model in training: its optimizer, carried state and timing."""

    name: str
    model: nn.Module
    lr: float
    clip: float
    optimizer: torch.optim.Optimizer = field(init=False)
    state: object = None
    seconds: float = 0.0
    tokens: int = 0
    losses: list[float] = field(default_factory=list)
    rng: RngState | None = None  # this model's own generator state (its dropout masks)

    def __post_init__(self) -> None:
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=self.lr)

    def set_lr(self, lr: float) -> None:
        self.lr = lr
        for group in self.optimizer.param_groups:
            group["lr"] = lr


def train_steps(
    runner: Runner, batches: StreamBatches, start: int, count: int, device: torch.device
) -> None:
    """``count`` SGD steps on batches[start : start + count], carrying the detached state."""
    model = runner.model
    model.train()
    shared = _swap_rng(runner.rng)  # draw from this model's own stream of random numbers
    t0 = time.perf_counter()
    for i in range(start, min(start + count, len(batches))):
        x, y = (t.to(device) for t in batches[i])  # (T, B)
        runner.state = detach_state(runner.state)  # keep the values, cut the graph
        logits, runner.state = model(x, runner.state)  # (T, B, V)
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
        runner.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), runner.clip)
        runner.optimizer.step()
        runner.losses.append(loss.item())
        runner.tokens += y.numel()
    if device.type == "cuda":
        torch.cuda.synchronize()
    runner.seconds += time.perf_counter() - t0
    if runner.rng is not None:
        runner.rng = _swap_rng(shared)


def rng_state() -> RngState:
    """The current generator state, to start each model's own random-number stream from."""
    return torch.get_rng_state(), torch.cuda.get_rng_state() if torch.cuda.is_available() else None


def _swap_rng(state: RngState | None) -> RngState | None:
    """Install ``state`` as the generator state; return the state it replaced."""
    if state is None:
        return None
    replaced = rng_state()
    torch.set_rng_state(state[0])
    if state[1] is not None:
        torch.cuda.set_rng_state(state[1])
    return replaced


@torch.no_grad()
def evaluate(model: nn.Module, streams: Tensor, bptt: int, device: torch.device) -> float:
    """Mean nats per token over (L, B) streams, state carried."""
    model.eval()
    total, count, state = 0.0, 0, None
    for x, y in StreamBatches(streams, bptt):
        logits, state = model(x.to(device), state)
        total += F.cross_entropy(
            logits.reshape(-1, logits.size(-1)), y.to(device).reshape(-1), reduction="sum"
        ).item()
        count += y.numel()
    return total / count


def ppl(nats: float) -> float:
    return math.exp(min(nats, 700.0))
