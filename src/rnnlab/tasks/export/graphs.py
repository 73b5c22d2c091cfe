"""The graphs rnnlab exports to ONNX: a language model over a sequence or one step, and a
forecaster over its window. Each is a small module with flat tensor inputs and outputs
(ONNX has no nested state), traced by PyTorch's TorchScript-based exporter.

Why not the default exporter: in torch 2.13 ``torch.onnx.export(..., dynamo=True)``
"succeeds" on nn.LSTM/GRU/RNN but fixes the time axis to the example's length (the
model then fails at any other length); the TorchScript-based exporter
(``dynamo=False``) turns PyTorch's fused kernels into ONNX's native LSTM / GRU / RNN
operators, which run at every length and batch size. The tests run every exported
model on onnxruntime at lengths and batch sizes other than the example's.

State layout (per layer l of a language model): inputs ``h_l{l}`` (and ``c_l{l}``
for the LSTM cells), outputs ``h_l{l}_out`` (``c_l{l}_out``): (1, B, H) in the
sequence graph, (B, H) in the step graph.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from rnnlab.layers import Recurrent

OPSET = 17


def state_names(model: nn.Module) -> list[str]:
    """h_l0, c_l0, h_l1, … for a language model's layers."""
    return [f"{name}_l{k}" for k, layer in enumerate(model.layers) for name in layer.state_names]


def _nest(model: nn.Module, flat: tuple[Tensor, ...]) -> list[Any]:
    """Flat (h_l0, c_l0, h_l1, …) -> the model's state (a list per layer)."""
    state, i = [], 0
    for layer in model.layers:
        n = len(layer.state_names)
        state.append(tuple(flat[i:i + n]) if n > 1 else flat[i])
        i += n
    return state


def _flat(state: list[Any]) -> list[Tensor]:
    return [t for s in state for t in (s if isinstance(s, tuple) else (s,))]


class LMSequence(nn.Module):
    """tokens (T, B) int64, states (1, B, H) -> logits (T, B, V), states: the whole sequence."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, tokens: Tensor, *states: Tensor) -> tuple[Tensor, ...]:
        logits, state = self.model(tokens, _nest(self.model, states))
        return (logits, *_flat(state))


class LMStep(nn.Module):
    """token (B,) int64, states (B, H) -> logits (B, V), states: one step of any cell.

    Each layer's cell is called on its own (``Recurrent.cells[0]``: the spec's
    equations, zoneout at its evaluation rates), so every registry cell exports.
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, token: Tensor, *states: Tensor) -> tuple[Tensor, ...]:
        x = self.model.embedding(token)  # (B, E)
        new: list[Any] = []
        for layer, s in zip(self.model.layers, _nest(self.model, states), strict=True):
            x, s = layer.cells[0](x, s)  # (B, H)
            new.append(s)
        return (self.model.decoder(x), *_flat(new))


class ForecastGraph(nn.Module):
    """x (B, L, F), known (B, H, C) -> the forecaster's raw outputs (B, H, K, P)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: Tensor, known: Tensor) -> Tensor:
        return self.model(x, known)


@contextlib.contextmanager
def traceable(model: nn.Module) -> Iterator[None]:
    """Layers on the ``sequence`` backend run the explicit loop while exporting (its autograd
    Function is Python, which ONNX cannot hold); the loop unrolls over the example's steps."""
    changed = [m for m in model.modules() if isinstance(m, Recurrent)
               and m.backend_used == "sequence"]
    for m in changed:
        m.backend = "explicit"
    try:
        yield
    finally:
        for m in changed:
            m.backend = "auto"


def export_onnx(module: nn.Module, args: tuple[Tensor, ...], path: Path,
                inputs: list[str], outputs: list[str], dynamic: dict[str, dict[int, str]]) -> Path:
    """Trace ``module`` in eval mode with the TorchScript-based exporter (see the module doc)."""
    module.eval()
    with warnings.catch_warnings(), torch.no_grad(), traceable(module):
        warnings.simplefilter("ignore")  # the exporter's deprecation and batch-size notes
        torch.onnx.export(module, args, str(path), dynamo=False, input_names=inputs,
                          output_names=outputs, dynamic_axes=dynamic, opset_version=OPSET)
    return path
