"""Torch twins of the NumPy reference models, built from rnnlab's cells and layers (float64)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch
from torch import nn

from rnnlab.cells import RecurrentCell
from rnnlab.layers import Recurrent


def make_torch_cell(cell: str, input_size: int, hidden_size: int) -> nn.Module:
    """rnnlab's cell of the registry name ``cell`` in float64, in eval mode (zoneout cells then
    use their rates, as the reference does without masks)."""
    return RecurrentCell(cell, input_size, hidden_size, dtype=torch.float64).eval()


class CellStack(nn.Module):
    """L rnnlab cells looped over time by hand; state in torch's (L, B, H) layout."""

    def __init__(self, cell: str, input_size: int, hidden_size: int, num_layers: int) -> None:
        super().__init__()
        self.paired = len(RecurrentCell(cell, 1, 1).state_names) == 2  # (h, c)
        self.cells = nn.ModuleList(
            make_torch_cell(cell, input_size if k == 0 else hidden_size, hidden_size)
            for k in range(num_layers)
        )

    def forward(self, x, state=None):
        per_layer = []
        inputs = x
        for k, cell in enumerate(self.cells):
            if state is None:
                s = None
            elif self.paired:
                s = (state[0][k], state[1][k])
            else:
                s = state[k]
            hs = []
            for t in range(x.shape[0]):
                h, s = cell(inputs[t], s)
                hs.append(h)
            inputs = torch.stack(hs)
            per_layer.append(s)
        if self.paired:
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


def rnnlab_layer(cell: str, input_size: int, hidden_size: int, num_layers: int) -> nn.Module:
    """rnnlab's layer of the registry name ``cell`` in float64, eval mode (its auto backend:
    fused, or the sequence kernel for the LayerNorm and zoneout cells)."""
    return Recurrent(cell, input_size, hidden_size, num_layers, dtype=torch.float64).eval()


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


@pytest.fixture
def twins() -> SimpleNamespace:
    """The torch twins, as a fixture (tests are imported in importlib mode, not as modules)."""
    return SimpleNamespace(CellStack=CellStack, make_torch_cell=make_torch_cell,
                           rnnlab_layer=rnnlab_layer)
