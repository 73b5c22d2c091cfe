"""Recurrent state: the one home of the helpers that walk, pick, cut and flatten it.

A state is what a cell or layer returns beside its output: a tensor h, a tuple
such as an LSTM's (h, c), or any nesting of tuples, lists and dicts of tensors
(a language model keeps a list with one state per layer), or ``None``. Cells
hold (B, H) tensors; layers hold (L·D, B, H) tensors, batch on dimension 1.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor, nn

State = Tensor | tuple[Tensor, ...]  # (B, H) or (L·D, B, H), or a tuple of them (LSTM: (h, c))


def map_state(fn: Callable[..., Tensor], *states: Any) -> Any:
    """Apply ``fn`` to the tensors of one or more states of the same structure.

    The structure is kept (tuples, namedtuples, lists, dicts; ``None`` stays None).
    """
    first = states[0]
    if first is None:
        return None
    if isinstance(first, Tensor):
        return fn(*states)
    if isinstance(first, tuple) and hasattr(first, "_fields"):  # namedtuple
        return type(first)(*(map_state(fn, *parts) for parts in zip(*states, strict=True)))
    if isinstance(first, (tuple, list)):
        return type(first)(map_state(fn, *parts) for parts in zip(*states, strict=True))
    if isinstance(first, dict):
        return {k: map_state(fn, *(s[k] for s in states)) for k in first}
    raise TypeError(
        "expected a recurrent state made of tensors (Tensor, tuple, list, dict or None), "
        f"got {type(first).__name__}"
    )


def detach_state(state: Any) -> Any:
    """The same state, cut from the autograd graph (truncated BPTT's chunk edge).

    The values carry over, so the next chunk starts where this one ended (the
    model still sees the whole stream in its forward pass), but gradients stop
    here: backpropagation through the next chunk reaches back only to its own
    first step, which keeps memory and time per step bounded.
    """
    return map_state(lambda s: s.detach(), state)


def select_rows(state: Any, index: Tensor, dim: int = 1) -> Any:
    """Rows ``index`` (picked, reordered or repeated) of every tensor along the batch ``dim``."""
    return map_state(lambda s: s.index_select(dim, index), state)


def state_names_of(layer: nn.Module) -> tuple[str, ...]:
    """("h",) or ("h", "c") for an rnnlab layer or cell, or a torch.nn RNN/LSTM/GRU."""
    names = getattr(layer, "state_names", None)
    if names is not None:
        return tuple(names)
    return ("h", "c") if isinstance(layer, (nn.LSTM, nn.LSTMCell)) else ("h",)


def state_vector(state: State) -> Tensor:
    """A layer state (L·D, B, H) or (h, c) -> s (B, S), S = L·D·H per state tensor.

    s = [h^{(0)}, …, h^{(L·D-1)}, c^{(0)}, …]: one vector per example, as the
    gradient-flow diagnostics need (∂s_t/∂s_{t-1} is an S×S matrix).
    """
    parts = state if isinstance(state, tuple) else (state,)
    return torch.cat([p.transpose(0, 1).reshape(p.shape[1], -1) for p in parts], dim=1)


def from_state_vector(s: Tensor, layer: nn.Module) -> State:
    """s (B, S) -> the layer's state layout (inverse of :func:`state_vector`)."""
    k = layer.num_layers * (2 if getattr(layer, "bidirectional", False) else 1)  # L·D
    H, B = layer.hidden_size, s.shape[0]
    pieces = s.split(k * H, dim=1)
    parts = tuple(p.reshape(B, k, H).transpose(0, 1).contiguous() for p in pieces)
    return parts if len(state_names_of(layer)) > 1 else parts[0]


def zero_state(layer: nn.Module, batch_size: int, like: Tensor) -> State:
    """The zero state (L·D, B, H) per state tensor of a layer, on ``like``'s device and dtype."""
    k = layer.num_layers * (2 if getattr(layer, "bidirectional", False) else 1)  # L·D
    shape = (k, batch_size, layer.hidden_size)
    zeros = tuple(like.new_zeros(shape) for _ in state_names_of(layer))
    return zeros if len(zeros) > 1 else zeros[0]
