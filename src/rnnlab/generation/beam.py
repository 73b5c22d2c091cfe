"""Beam search: keep the ``beam_width`` most probable continuations at every step.

A hypothesis y_1 … y_n scores log p(y | prompt) = Σ_t log p(y_t | prompt, y_<t);
each step extends every live hypothesis by every token, keeps the best
``beam_width``, and moves those ending in ``<eos>`` to the finished list. With
``length_penalty`` α the final ranking uses log p / n^α (α = 0: raw
probability, which favours short outputs; Wu et al. 2016 use α ≈ 0.6–1).

States are batched over the live hypotheses; picking rows of a state assumes
rnnlab's layout (every tensor is (layers, B, H): rows on dim 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from rnnlab.cells.state import select_rows
from rnnlab.generation.sampling import prime


@dataclass(frozen=True)
class Hypothesis:
    """A generated continuation and its log-probability given the prompt."""

    ids: tuple[int, ...]
    log_prob: float
    finished: bool  # ended with <eos>

    def score(self, length_penalty: float = 0.0) -> float:
        return self.log_prob / max(len(self.ids), 1) ** length_penalty


@torch.no_grad()
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
    """The best continuations of the prompt, best first (up to ``beam_width`` of them).

    ``banned`` token ids (e.g. ``<unk>``) are never part of a hypothesis. A beam
    wider than the vocabulary is fine (it fills up over the first steps; wide
    enough, it is exhaustive search): a candidate of probability 0 (a banned
    token) never takes a free place in it.
    """
    if beam_width < 1 or max_tokens < 1:
        raise ValueError(f"expected beam_width, max_tokens >= 1, got {beam_width}, {max_tokens}")
    was_training = model.training
    model.eval()
    try:
        logits, state = prime(model, prompt_ids, start_id)  # (V,)
        logp = logits.float().log_softmax(-1).unsqueeze(0)  # (1, V): one live hypothesis
        banned_ids = torch.tensor(list(banned), dtype=torch.long, device=logp.device)
        alive: list[Hypothesis] = [Hypothesis((), 0.0, False)]
        finished: list[Hypothesis] = []
        for step in range(max_tokens):
            logp = logp.index_fill(1, banned_ids, float("-inf"))  # (K, V)
            base = torch.tensor([h.log_prob for h in alive], device=logp.device)  # (K,)
            total = (base[:, None] + logp).flatten()  # (K·V,)
            top = total.topk(min(2 * beam_width, total.numel()))
            vocab = logp.size(1)
            keep_rows: list[int] = []
            next_alive: list[Hypothesis] = []
            for value, flat in zip(top.values.tolist(), top.indices.tolist(), strict=True):
                if value == float("-inf"):  # banned tokens only from here on
                    break
                row, token = divmod(flat, vocab)
                hyp = Hypothesis((*alive[row].ids, token), value, token == eos_id)
                if hyp.finished:
                    finished.append(hyp)
                elif len(next_alive) < beam_width:
                    next_alive.append(hyp)
                    keep_rows.append(row)
                if len(next_alive) == beam_width:
                    break
            best_done = max((h.score(length_penalty) for h in finished), default=float("-inf"))
            alive = next_alive
            # with α = 0 scores only fall as hypotheses grow: a finished one that beats
            # every live one cannot be overtaken
            if not alive or (length_penalty == 0 and best_done >= alive[0].log_prob):
                break
            if step == max_tokens - 1:
                break
            index = torch.tensor(keep_rows, device=logp.device)
            state = select_rows(state, index)
            tokens = torch.tensor([[h.ids[-1] for h in alive]], device=logp.device)  # (1, K)
            out, state = model(tokens, state)  # (1, K, V)
            logp = out[0].float().log_softmax(-1)  # (K, V)
    finally:
        model.train(was_training)
    ranked = sorted(finished + alive, key=lambda h: h.score(length_penalty), reverse=True)
    return ranked[:beam_width]
