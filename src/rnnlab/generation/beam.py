"""Beam search: keep the ``beam_width`` most probable continuations at every step, batched.

A hypothesis y_1 … y_n scores log p(y | context) = Σ_t log p(y_t | context, y_<t);
each step extends every live hypothesis by every token, keeps the best
``beam_width`` per example, and moves those ending in ``<eos>`` to that
example's finished list. With ``length_penalty`` α the final ranking uses
log p / n^α (α = 0: raw probability, which favours short outputs; α = 1: the
mean log-probability per token; Wu et al. 2016 use α ≈ 0.6–1).

One search serves every model that can take a step: :func:`batch_beam_search`
runs B examples × K beams as B·K rows of any ``step(tokens, state) -> (logits,
state)`` whose state keeps the batch on dimension 1 (rnnlab's layout: (L, B, H)
tensors; a decoder's memory (S, B, ·)), reordered with ``select_rows``.
:func:`beam_search` (a language model continuing one prompt) is the case B = 1.

An example stops when ``beam_width`` hypotheses have finished (fairseq's rule),
when no live one can still beat the best finished one (live scores only fall:
their bound is log p / max_tokens^α), or at its own ``max_tokens``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn

from rnnlab.cells.state import select_rows
from rnnlab.generation.sampling import prime

StepFn = Callable[[Tensor, Any], tuple[Tensor, Any]]  # tokens (N,), state -> logits (N, V), state


@dataclass(frozen=True)
class Hypothesis:
    """A generated continuation and its log-probability given the context."""

    ids: tuple[int, ...]
    log_prob: float
    finished: bool  # ended with <eos>

    def score(self, length_penalty: float = 0.0) -> float:
        return self.log_prob / max(len(self.ids), 1) ** length_penalty


@torch.no_grad()
def batch_beam_search(
    step: StepFn,
    state: Any,
    first: Tensor,
    *,
    eos_id: int | None,
    beam_width: int = 5,
    max_tokens: int | Sequence[int] = 20,
    length_penalty: float = 0.0,
    n_best: int | None = None,
    banned: Sequence[int] = (),
) -> list[list[Hypothesis]]:
    """The ``n_best`` (default ``beam_width``) best hypotheses of each of B examples, best first.

    ``state`` holds B rows (batch on dim 1); ``first`` (B,) is the token each
    example's first step reads (``<bos>``, or a prompt's last token).
    ``max_tokens`` is one limit or one per example. ``banned`` token ids (e.g.
    ``<unk>``) are never part of a hypothesis.
    """
    B, K = first.numel(), beam_width
    limits = [max_tokens] * B if isinstance(max_tokens, int) else [int(m) for m in max_tokens]
    if K < 1 or len(limits) != B or min(limits) < 1:
        raise ValueError(f"expected beam_width >= 1 and {B} max_tokens >= 1, got {beam_width} "
                         f"and {max_tokens}")
    n_best = K if n_best is None else n_best
    if not 1 <= n_best <= K:
        raise ValueError(f"expected 1 <= n_best <= beam_width = {K}, got {n_best}")
    device = first.device
    rows = torch.arange(B, device=device).repeat_interleave(K)  # row b·K + k of example b
    state = select_rows(state, rows)
    tokens = first.to(device).repeat_interleave(K)  # (B·K,)
    scores = torch.full((B, K), float("-inf"), device=device)
    scores[:, 0] = 0.0  # one live hypothesis per example at the start
    ids: list[list[tuple[int, ...]]] = [[()] * K for _ in range(B)]
    finished: list[list[Hypothesis]] = [[] for _ in range(B)]
    done = [False] * B
    banned_ids = torch.tensor(list(banned), dtype=torch.long, device=device)
    for t in range(max(limits)):
        logits, state = step(tokens, state)  # (B·K, V)
        logp = logits.float().log_softmax(-1).index_fill(1, banned_ids, float("-inf"))
        vocab = logp.size(-1)
        total = (scores.view(-1, 1) + logp).view(B, K * vocab)  # (B, K·V)
        top = total.topk(min(2 * K, K * vocab), dim=1)
        keep = torch.zeros(B, K, dtype=torch.long)  # the row each new beam extends
        next_tokens = torch.full((B, K), eos_id or 0, dtype=torch.long)
        next_scores = torch.full((B, K), float("-inf"))
        next_ids: list[list[tuple[int, ...]]] = [[()] * K for _ in range(B)]
        for b in range(B):
            if done[b]:
                continue
            k = 0
            for value, flat in zip(top.values[b].tolist(), top.indices[b].tolist(), strict=True):
                if value == float("-inf"):
                    break
                row, token = divmod(flat, vocab)
                path = (*ids[b][row], token)
                if token == eos_id:
                    finished[b].append(Hypothesis(path, value, True))
                    continue
                keep[b, k], next_tokens[b, k], next_scores[b, k] = row, token, value
                next_ids[b][k] = path
                k += 1
                if k == K:
                    break
            alive = [Hypothesis(next_ids[b][j], float(next_scores[b, j]), False) for j in range(k)]
            done[b] = _example_done(finished[b], alive, K, t + 1, limits[b], length_penalty)
            if done[b] and t + 1 >= limits[b]:
                finished[b].extend(alive)  # cut at the length limit: kept, marked unfinished
        if all(done):
            break
        scores = next_scores.to(device).masked_fill(torch.tensor(done, device=device)[:, None],
                                                    float("-inf"))
        ids = next_ids
        flat_rows = (torch.arange(B)[:, None] * K + keep).view(-1).to(device)  # (B·K,)
        state = select_rows(state, flat_rows)
        tokens = next_tokens.view(-1).to(device)
    return [sorted(f, key=lambda h: h.score(length_penalty), reverse=True)[:n_best]
            for f in finished]


def _example_done(finished: list[Hypothesis], alive: list[Hypothesis], width: int, made: int,
                  limit: int, alpha: float) -> bool:
    if not alive or made >= limit or len(finished) >= width:
        return True
    best_done = max((h.score(alpha) for h in finished), default=float("-inf"))
    best_possible = max(h.log_prob for h in alive) / limit ** alpha  # live scores only fall
    return best_done >= best_possible


def beam_search(
    model: nn.Module,
    prompt_ids: Sequence[int],
    *,
    start_id: int,
    eos_id: int | None = None,
    beam_width: int = 5,
    max_tokens: int = 20,
    length_penalty: float = 0.0,
    banned: Sequence[int] = (),
) -> list[Hypothesis]:
    """The best continuations of a language model's prompt, best first (up to ``beam_width``).

    ``model(tokens (T, B), state) -> (logits (T, B, V), state)``; ``start_id`` is the
    context before the prompt. ``banned`` token ids (e.g. ``<unk>``) are never part of a
    hypothesis; a beam wider than the vocabulary is fine (wide enough, it is exhaustive
    search), and a candidate of probability 0 never takes a place in it.
    """
    if beam_width < 1 or max_tokens < 1:
        raise ValueError(f"expected beam_width, max_tokens >= 1, got {beam_width}, {max_tokens}")
    was_training = model.training
    model.eval()
    try:
        context = [start_id, *prompt_ids]
        state = None if len(context) == 1 else prime(model, context[1:-1], context[0])[1]
        first = torch.tensor([context[-1]], device=next(model.parameters()).device)

        def step(tokens: Tensor, state: Any) -> tuple[Tensor, Any]:
            logits, state = model(tokens[None], state)  # (1, N, V)
            return logits[0], state

        return batch_beam_search(step, state, first, eos_id=eos_id, beam_width=beam_width,
                                 max_tokens=max_tokens, length_penalty=length_penalty,
                                 banned=banned)[0]
    finally:
        model.train(was_training)
