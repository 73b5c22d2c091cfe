"""Language-model evaluation: perplexity, bits per character, sentence and next-token probabilities.

Symbols: N tokens, V vocabulary, T time, B batch. For a model that gives
p(w_t | w_<t), the mean cross-entropy in nats is

    ℓ = −(1/N) Σ_t log p(w_t | w_<t)

and the usual summaries are perplexity exp(ℓ) (word models: "as uncertain as a
uniform choice among exp(ℓ) words") and bits per character ℓ / ln 2 (character
models). The model is any module with ``model(tokens (T, B), state) ->
(logits (T, B, V), state)``; nothing here knows how it is built.

The subject–verb agreement probe (Linzen et al. 2016; Gulordava et al. 2018)
lives in ``agreement.py``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnnlab.data.text.streams import StreamBatches, batchify


@dataclass(frozen=True)
class LMScore:
    """Mean cross-entropy over ``tokens`` predictions, and what it means."""

    loss: float  # nats per token
    tokens: int  # predictions scored

    @property
    def perplexity(self) -> float:
        return math.exp(min(self.loss, 700.0))  # exp overflows past ~709 nats

    @property
    def bits_per_token(self) -> float:
        return self.loss / math.log(2)  # bits per character for character models


def perplexity(mean_nats: float) -> float:
    """exp(ℓ): perplexity from a mean cross-entropy in nats."""
    return math.exp(min(mean_nats, 700.0))


def bits_per_char(mean_nats: float) -> float:
    """ℓ / ln 2: bits per character from nats per character."""
    return mean_nats / math.log(2)


def _device(model: nn.Module) -> torch.device:
    return next(model.parameters()).device


@torch.no_grad()
def evaluate_stream(
    model: nn.Module, ids: Sequence[int] | Tensor, *, batch_size: int = 10, bptt: int = 35
) -> LMScore:
    """Score a token stream as B parallel streams in chunks of ``bptt``, carrying the state.

    The same layout as training (see :mod:`rnnlab.data.text.streams`); with
    batch_size=1 and a long bptt every token but the first is predicted from
    all the text before it.
    """
    was_training = model.training
    model.eval()
    streams = batchify(ids, batch_size).to(_device(model))  # (L, B)
    total, count, state = 0.0, 0, None
    try:
        for x, y in StreamBatches(streams, bptt):
            logits, state = model(x, state)  # (T, B, V)
            total += F.cross_entropy(logits.flatten(0, 1), y.flatten(), reduction="sum").item()
            count += y.numel()
    finally:
        model.train(was_training)
    return LMScore(total / count, count)


def evaluate_counts_stream(model: Any, ids: Sequence[int] | Tensor, *,
                           batch_size: int = 10) -> LMScore:
    """A counts model (``model.log_probs(rows)``, the n-gram model) scored on exactly the
    predictions :func:`evaluate_stream` scores: the stream cut into B columns, every token
    after a column's first predicted from the tokens before it in its column."""
    streams = batchify(ids, batch_size).T.numpy()  # (B, L)
    log_p = model.log_probs(streams)[:, 1:]  # (B, L − 1)
    return LMScore(-float(log_p.mean()), int(log_p.size))


def unigram_baseline(
    train_ids: Sequence[int], eval_ids: Sequence[int], vocab_size: int, *, add: float = 1.0
) -> LMScore:
    """The unigram model p(w) = (c(w) + add) / (N + add·V) fit on train, scored on eval.

    The baseline a language model must beat (DESIGN.md principle 6): it knows
    word frequencies and nothing about context.
    """
    counts = Counter(train_ids)
    denominator = len(train_ids) + add * vocab_size
    eval_counts = Counter(eval_ids)
    nll = -sum(n * math.log((counts[w] + add) / denominator) for w, n in eval_counts.items())
    return LMScore(nll / max(len(eval_ids), 1), len(eval_ids))


@torch.no_grad()
def token_log_probs(model: nn.Module, ids: Sequence[int], *, start_id: int) -> list[float]:
    """log p(w_t | <start>, w_<t) for every token of ``ids`` (one sequence).

    ``start_id`` is the context before the first token: ``<eos>`` for a model
    trained on a stream of sentences, i.e. "a new sentence begins here".
    """
    if len(ids) == 0:
        raise ValueError("expected at least one token to score, got an empty sequence")
    was_training = model.training
    model.eval()
    try:
        tokens = torch.tensor([start_id, *ids], device=_device(model)).unsqueeze(1)  # (T+1, 1)
        logits, _ = model(tokens[:-1])  # (T, 1, V)
        logp = logits.squeeze(1).log_softmax(-1)  # (T, V)
        picked = logp.gather(1, tokens[1:])  # (T, 1)
    finally:
        model.train(was_training)
    return picked.squeeze(1).tolist()


def sentence_log_prob(
    model: nn.Module, ids: Sequence[int], *, start_id: int, end_id: int | None = None
) -> float:
    """log p(sentence) = Σ_t log p(w_t | w_<t), including ``end_id`` (e.g. <eos>) when given."""
    full = [*ids, end_id] if end_id is not None else list(ids)
    return float(sum(token_log_probs(model, full, start_id=start_id)))


@torch.no_grad()
def next_token_distribution(
    model: nn.Module, prompt_ids: Sequence[int], *, start_id: int, k: int = 10
) -> list[tuple[int, float]]:
    """The ``k`` most probable next tokens after ``prompt_ids``, as (id, probability)."""
    if k < 1:
        raise ValueError(f"expected k >= 1, got {k}")
    was_training = model.training
    model.eval()
    try:
        tokens = torch.tensor([start_id, *prompt_ids], device=_device(model)).unsqueeze(1)
        logits, _ = model(tokens)  # (T, 1, V)
        probs = logits[-1, 0].float().softmax(-1)  # (V,) p(w | prompt)
        top = probs.topk(min(k, probs.numel()))
    finally:
        model.train(was_training)
    return list(zip(top.indices.tolist(), top.values.tolist(), strict=True))


def format_table(rows: Sequence[tuple[Any, ...]], headers: Sequence[str]) -> str:
    """A small plain-text table (the CLI and the demo print these)."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def logits_at(model: nn.Module, batch: Tensor, last: Tensor) -> Tensor:
    """Logits at position ``last[b]`` of each padded sequence: batch (T, B) -> (B, V)."""
    logits, _ = model(batch)  # (T, B, V); padding after a sequence cannot change its past
    index = last.view(1, -1, 1).expand(1, -1, logits.size(-1))  # (1, B, V)
    return logits.gather(0, index).squeeze(0)
