"""The explicit time loop: any step function, stacked, bidirectional, variable lengths.

A step is ``step(x_t, state, **noise_t) -> (h_t, state)`` with x_t (B, I),
h_t (B, H) and a state that is a tensor or a tuple of tensors; ``noise_t`` is
step t of the per-step random inputs drawn before the loop (zoneout masks,
(T, B, H) each; none for most cells). This loop is the reference every fused
path is tested against.

Variable lengths (B,): a sequence's state stops changing after its last step
and its output there is zero; the reverse direction reads each sequence
backwards from its own last step, so its final state is the state after x_0 —
the same as PyTorch on a packed batch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from rnnlab.cells.state import State, map_state

Step = Callable[..., tuple[Tensor, State]]  # step(x_t, state, **noise_t) -> (h_t, state)
Noise = Mapping[str, Any]  # keyword -> (T, B, H) tensor or a tuple of them, sliced per step


def reverse_padded(x: Tensor, lengths: Tensor | None) -> Tensor:
    """Reverse each sequence of x (T, B, ·) within its own length; padding stays in place."""
    if lengths is None:
        return x.flip(0)
    t = torch.arange(x.shape[0], device=x.device).unsqueeze(1)  # (T, 1)
    n = lengths.to(x.device).unsqueeze(0)  # (1, B)
    index = torch.where(t < n, n - 1 - t, t)  # (T, B): an involution
    return x.gather(0, index.unsqueeze(-1).expand_as(x))


def run_direction(
    step: Step,
    x: Tensor,
    state: State,
    lengths: Tensor | None,
    reverse: bool = False,
    noise: Noise | None = None,
) -> tuple[Tensor, State]:
    """Run one direction over x (T, B, I) -> (outputs (T, B, H), final state).

    ``noise`` (optional) is indexed by time like x: its step t goes with x_t.
    """
    noise = noise or {}
    if reverse:
        x = reverse_padded(x, lengths)
        noise = {k: map_state(lambda v: reverse_padded(v, lengths), v) for k, v in noise.items()}
    shortest = x.shape[0] if lengths is None else int(lengths.min())
    valid_steps = None if lengths is None else lengths.to(x.device).unsqueeze(1)  # (B, 1)
    outputs = []
    for t in range(x.shape[0]):
        noise_t = {k: map_state(lambda v, t=t: v[t], v) for k, v in noise.items()}
        h, new_state = step(x[t], state, **noise_t)  # (B, H)
        if t >= shortest:  # some sequences have ended: keep their state, zero their output
            valid = t < valid_steps  # (B, 1)
            new_state = map_state(
                lambda n, o, valid=valid: torch.where(valid, n, o), new_state, state
            )
            h = h.masked_fill(~valid, 0.0)
        state = new_state
        outputs.append(h)
    out = torch.stack(outputs)  # (T, B, H)
    return (reverse_padded(out, lengths) if reverse else out), state


def run_stack(
    steps: Sequence[Step],
    x: Tensor,
    states: Sequence[State],
    lengths: Tensor | None,
    num_layers: int,
    bidirectional: bool,
    dropout: float,
    training: bool,
    noise: Sequence[Noise] | None = None,
) -> tuple[Tensor, list[State]]:
    """L layers × D directions; ``steps[k]``/``states[k]``/``noise[k]`` for layer l, direction d
    at k = l·D + d.

    Dropout acts on each layer's output except the last, in training only (as torch.nn).
    Returns the last layer's output (T, B, D·H) and the L·D final states.
    """
    num_dirs = 2 if bidirectional else 1
    finals: list[State] = []
    for layer in range(num_layers):
        outs = []
        for d in range(num_dirs):
            k = layer * num_dirs + d
            out, final = run_direction(steps[k], x, states[k], lengths, reverse=d == 1,
                                       noise=None if noise is None else noise[k])
            outs.append(out)
            finals.append(final)
        x = torch.cat(outs, dim=-1) if num_dirs == 2 else outs[0]  # (T, B, D·H)
        if dropout > 0 and training and layer < num_layers - 1:
            x = F.dropout(x, dropout, training=True)
    return x, finals
