"""How the diagnostics see a recurrent layer: its kind, its weights, and one step at a time.

Works with rnnlab's ``RNN``/``LSTM``/``GRU`` and with ``torch.nn.RNN/LSTM/GRU``
(same parameter names), through their public ``forward(x, state)`` and
``named_parameters()`` only, so the diagnostics never depend on a backend.

State layout (the layers'): h (L, B, H) for Elman and GRU, (h, c) for LSTM.
Flattened per example it is the vector s_t of length S = L·H (2·L·H for LSTM),
ordered [h^{(0)}, …, h^{(L-1)}, c^{(0)}, …, c^{(L-1)}].
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

MODES = ("tanh", "relu", "sigmoid", "lstm", "gru")


def layer_mode(layer: nn.Module) -> str:
    """"tanh" | "relu" | "sigmoid" | "lstm" | "gru" for a recurrent layer, or a clear error."""
    mode = getattr(layer, "mode", None)
    if mode in MODES:
        return mode
    if isinstance(layer, nn.LSTM):
        return "lstm"
    if isinstance(layer, nn.GRU):
        return "gru"
    if isinstance(layer, nn.RNN):
        return {"RNN_TANH": "tanh", "RNN_RELU": "relu"}[layer.mode]
    raise TypeError(
        "expected an rnnlab or torch.nn RNN/LSTM/GRU layer, got " + type(layer).__name__
    )


def check_unidirectional(layer: nn.Module) -> None:
    layer_mode(layer)  # a clear error for anything that is not a recurrent layer
    if getattr(layer, "bidirectional", False):
        raise ValueError("expected a unidirectional layer: gradient flow through time "
                         "runs one way; got bidirectional=True")


def recurrent_weights(layer: nn.Module) -> list[dict[str, Tensor]]:
    """Per layer k: {"weight_ih", "weight_hh", ("bias_ih", "bias_hh")} detached from the graph."""
    params = dict(layer.named_parameters())
    out = []
    for k in range(layer.num_layers):
        group = {name: params[f"{name}_l{k}"].detach()
                 for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
                 if f"{name}_l{k}" in params}
        out.append(group)
    return out


def step_sequence(layer: nn.Module, x: Tensor, t: int) -> Tensor:
    """The one-step slice x_t shaped as the layer expects: (1, B, I), or (B, 1, I) batch-first."""
    return x[:, t : t + 1] if getattr(layer, "batch_first", False) else x[t : t + 1]


def time_major(layer: nn.Module, x: Tensor) -> Tensor:
    """x as (T, B, I) whatever the layer's batch_first."""
    return x.transpose(0, 1) if getattr(layer, "batch_first", False) else x


def zero_state(layer: nn.Module, batch_size: int, like: Tensor) -> Any:
    shape = (layer.num_layers, batch_size, layer.hidden_size)
    h = torch.zeros(shape, dtype=like.dtype, device=like.device)
    return (h, h.clone()) if layer_mode(layer) == "lstm" else h


def flatten_state(state: Any) -> Tensor:
    """(L, B, H) or (h, c) -> s (B, S), S = L·H or 2·L·H."""
    parts = state if isinstance(state, tuple) else (state,)
    return torch.cat([p.transpose(0, 1).reshape(p.shape[1], -1) for p in parts], dim=1)


def unflatten_state(s: Tensor, layer: nn.Module) -> Any:
    """s (B, S) -> the layer's state layout (inverse of ``flatten_state``)."""
    L, H, B = layer.num_layers, layer.hidden_size, s.shape[0]
    pieces = s.split(L * H, dim=1)
    parts = tuple(p.reshape(B, L, H).transpose(0, 1).contiguous() for p in pieces)
    return parts if layer_mode(layer) == "lstm" else parts[0]
