"""Torch twins of the NumPy reference models, built from rnnlab's cells and layers (float64)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch
from torch import nn

import rnnlab.cells as cells


def make_torch_cell(kind: str, nonlinearity: str, input_size: int, hidden_size: int) -> nn.Module:
    if kind == "elman":
        return cells.ElmanCell(input_size, hidden_size, nonlinearity=nonlinearity,
                               dtype=torch.float64)
    return {"lstm": cells.LSTMCell, "gru": cells.GRUCell}[kind](
        input_size, hidden_size, dtype=torch.float64
    )


class CellStack(nn.Module):
    """L rnnlab cells looped over time by hand; state in torch's (L, B, H) layout."""

    def __init__(self, kind: str, nonlinearity: str, input_size: int, hidden_size: int,
                 num_layers: int) -> None:
        super().__init__()
        self.kind = kind
        self.cells = nn.ModuleList(
            make_torch_cell(kind, nonlinearity, input_size if k == 0 else hidden_size, hidden_size)
            for k in range(num_layers)
        )

    def forward(self, x, state=None):
        per_layer = []
        inputs = x
        for k, cell in enumerate(self.cells):
            if state is None:
                s = None
            elif self.kind == "lstm":
                s = (state[0][k], state[1][k])
            else:
                s = state[k]
            hs = []
            for t in range(x.shape[0]):
                h, s = cell(inputs[t], s)
                hs.append(h)
            inputs = torch.stack(hs)
            per_layer.append(s)
        if self.kind == "lstm":
            final = (torch.stack([s[0] for s in per_layer]), torch.stack([s[1] for s in per_layer]))
        else:
            final = torch.stack(per_layer)
        return inputs, final

    def reference_params(self) -> dict[str, np.ndarray]:
        """weight_ih_l0 … as NumPy arrays, the names ``rnnlab.reference.Recurrent`` uses."""
        return {
            f"{name}_l{k}": p.detach().numpy().copy()
            for k, cell in enumerate(self.cells)
            for name, p in cell.named_parameters()
        }


def rnnlab_layer(kind: str, nonlinearity: str, input_size: int, hidden_size: int,
                 num_layers: int) -> nn.Module:
    """rnnlab.RNN / LSTM / GRU in float64."""
    import rnnlab

    if kind == "elman":
        return rnnlab.RNN(input_size, hidden_size, num_layers, nonlinearity=nonlinearity,
                          dtype=torch.float64)
    return {"lstm": rnnlab.LSTM, "gru": rnnlab.GRU}[kind](
        input_size, hidden_size, num_layers, dtype=torch.float64
    )


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


@pytest.fixture
def twins() -> SimpleNamespace:
    """The torch twins, as a fixture (tests are imported in importlib mode, not as modules)."""
    return SimpleNamespace(CellStack=CellStack, make_torch_cell=make_torch_cell,
                           rnnlab_layer=rnnlab_layer)
