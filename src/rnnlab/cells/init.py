"""Initialisation of recurrent weights, shared by cells and layers.

* ``"default"``: PyTorch's, every weight and bias ~ U(−1/√H, 1/√H).
* ``"orthogonal"``: as default, then each H×H gate block of W_hh is replaced by
  a random orthogonal matrix (Saxe et al. 2014): the recurrent map neither
  grows nor shrinks a vector at initialisation.
* ``forget_bias`` (LSTM): sets the forget-gate part of the biases so that
  b_if + b_hf equals it (Jozefowicz et al. 2015 recommend 1.0: the cell
  remembers by default and gradients flow through c_t early in training).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

INITS = ("default", "orthogonal")


@torch.no_grad()
def init_recurrent_(
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None,
    b_hh: Tensor | None,
    hidden_size: int,
    init: str = "default",
    forget_bias: float | None = None,
    forget_gate: int = 1,
) -> None:
    """Initialise one (W_ih, W_hh, b_ih, b_hh) group in place.

    ``forget_gate`` is the index of the forget-gate block (1 in PyTorch's
    i, f, g, o order); it is used only when ``forget_bias`` is a number.
    """
    k = 1.0 / math.sqrt(hidden_size)  # PyTorch's bound
    for t in (w_ih, w_hh, b_ih, b_hh):
        if t is not None:
            t.uniform_(-k, k)
    if init == "orthogonal":
        for block in w_hh.split(hidden_size, dim=0):  # G blocks, each (H, H)
            torch.nn.init.orthogonal_(block)
    if forget_bias is not None:
        if b_ih is None or b_hh is None:
            raise ValueError("forget_bias needs bias=True")
        f = slice(forget_gate * hidden_size, (forget_gate + 1) * hidden_size)
        b_ih[f] = float(forget_bias)  # b_if + b_hf = forget_bias
        b_hh[f] = 0.0
