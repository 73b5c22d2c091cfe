"""Initialisation of a cell's weights: the one place every cell and layer initialises.

* ``"default"``: PyTorch's, every weight and bias ~ U(−1/√H, 1/√H).
* ``"orthogonal"``: as default, then each H×H gate block of W_hh is replaced by
  a random orthogonal matrix (Saxe et al. 2014): the recurrent map neither
  grows nor shrinks a vector at initialisation.
* ``forget_bias`` (cells whose spec names a ``forget_gate``: LSTM f, GRU z):
  b_ih[gate] = forget_bias, b_hh[gate] = 0, so their sum is forget_bias.
  Jozefowicz et al. (2015) recommend 1.0 for the LSTM: the cell remembers by
  default and gradients flow through c_t early in training. ``None`` keeps
  PyTorch's init.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import torch
from torch import Tensor

from rnnlab.cells.spec import CellSpec, ExtraParameter

INITS = ("default", "orthogonal")


def check_forget_bias(spec: CellSpec, forget_bias: float | None, bias: bool) -> float | None:
    """``forget_bias`` as a float (or None), or a ValueError when the cell cannot take it."""
    if forget_bias is None:
        return None
    if spec.forget_gate is None:
        raise ValueError(
            f"forget_bias sets the bias of a forget/update gate, and cell {spec.name!r} has none "
            f"(gates {', '.join(spec.gate_names)}); leave forget_bias=None"
        )
    if not bias:
        raise ValueError("forget_bias needs bias=True")
    return float(forget_bias)


@torch.no_grad()
def init_weights_(
    spec: CellSpec,
    weights: dict[str, Tensor | None],
    hidden_size: int,
    init: str = "default",
    forget_bias: float | None = None,
    extra: Mapping[str, ExtraParameter] | None = None,
) -> None:
    """Initialise one cell's ``weight_ih, weight_hh, bias_ih, bias_hh`` in place, in that order.

    The order of the random draws is PyTorch's, so a seeded layer gets the
    same numbers as before and as ``torch.nn`` (for ``init="default"``). The
    ``extra`` parameters of the spec (if any) come last, each by its own init.
    """
    k = 1.0 / math.sqrt(hidden_size)  # PyTorch's bound
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        if weights.get(name) is not None:
            weights[name].uniform_(-k, k)
    if init == "orthogonal":
        for block in weights["weight_hh"].split(hidden_size, dim=0):  # G blocks, each (H, H)
            torch.nn.init.orthogonal_(block)
    if forget_bias is not None and spec.forget_index is not None:
        gate = slice(spec.forget_index * hidden_size, (spec.forget_index + 1) * hidden_size)
        weights["bias_ih"][gate] = forget_bias  # b_ih[gate] + b_hh[gate] = forget_bias
        weights["bias_hh"][gate] = 0.0
    for name, parameter in (extra or {}).items():
        parameter.init(weights[name])
