"""Greedy decoding of a batch: the argmax token at every step, until ``<eos>`` or the limit.

The same ``step(tokens, state) -> (logits, state)`` contract as
:func:`rnnlab.generation.beam.batch_beam_search` (of which this is the width-1
case, written out vectorised: one argmax per step for the whole batch).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor

from rnnlab.generation.beam import Hypothesis, StepFn


@torch.no_grad()
def greedy_search(
    step: StepFn,
    state: Any,
    first: Tensor,
    *,
    eos_id: int,
    max_tokens: int | Sequence[int] = 20,
    banned: Sequence[int] = (),
) -> list[Hypothesis]:
    """One hypothesis per example (B = ``first.numel()``): ids up to and with ``<eos>``."""
    B = first.numel()
    limits = torch.tensor([max_tokens] * B if isinstance(max_tokens, int) else list(max_tokens))
    if limits.numel() != B or int(limits.min()) < 1:
        raise ValueError(f"expected {B} max_tokens >= 1, got {max_tokens}")
    tokens = first
    banned_ids = torch.tensor(list(banned), dtype=torch.long, device=first.device)
    made: list[Tensor] = []
    total = torch.zeros(B)
    alive = torch.ones(B, dtype=torch.bool)
    for t in range(int(limits.max())):
        logits, state = step(tokens, state)  # (B, V)
        logp = logits.float().log_softmax(-1).index_fill(1, banned_ids, float("-inf")).cpu()
        best, tokens = logp.max(-1)  # (B,)
        total += torch.where(alive, best, torch.zeros(()))
        made.append(torch.where(alive, tokens, -1))
        alive &= (tokens != eos_id) & (limits > t + 1)
        if not alive.any():
            break
        tokens = tokens.to(first.device)
    out = torch.stack(made, 1).tolist()  # (B, n); -1 after an example ended
    hyps = []
    for b, row in enumerate(out):
        ids = tuple(i for i in row if i >= 0)
        hyps.append(Hypothesis(ids, float(total[b]), bool(ids) and ids[-1] == eos_id))
    return hyps
