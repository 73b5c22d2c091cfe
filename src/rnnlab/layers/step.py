"""One time step of a whole :class:`~rnnlab.layers.Recurrent` stack: the single-step fast path.

For T = 1 the whole-sequence kernels cost more than they save: ``torch._VF.lstm``
on one token spends most of its time setting up (oneDNN), while PyTorch's
cell-step kernels (``torch._VF.lstm_cell``, ``gru_cell``, ``rnn_tanh_cell``,
``rnn_relu_cell``, the functions ``torch.nn.LSTMCell`` … call) compute exactly
the same step. :func:`cell_steps` binds each cell's weights of this forward pass
once (``Recurrent.forward_weights()``: weight drop included) into a callable
``step(x (B, I), state) -> (h (B, H), state)``; cells without such a kernel (the
sigmoid Elman network, LayerNorm, zoneout, user cells) get their spec's ``step``
with the weights bound, and zoneout its evaluation masks (the rates) or, in
training, fresh Bernoulli masks at every call. :func:`run_one_step` runs the
L × D stack on one step; the fused backend uses it for T = 1, and streaming
predictors (:mod:`rnnlab.models.streaming`) call the steps directly.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import _VF, Tensor

from rnnlab.cells.state import State
from rnnlab.cells.zoneout import zoneout_masks

CellStep = Callable[[Tensor, State], tuple[Tensor, State]]
# CellSpec.fused -> PyTorch's cell kernel: kernel(x, hx, w_ih, w_hh, b_ih, b_hh)
CELL_KERNELS = {"lstm": _VF.lstm_cell, "gru": _VF.gru_cell, "tanh": _VF.rnn_tanh_cell,
                "relu": _VF.rnn_relu_cell}


def _kernel_step(kernel: Callable, weights: dict[str, Tensor | None], paired: bool,
                 x: Tensor, state: State) -> tuple[Tensor, State]:
    out = kernel(x, state, weights["weight_ih"], weights["weight_hh"], weights["bias_ih"],
                 weights["bias_hh"])
    return (out[0], out) if paired else (out, out)


def _spec_step(layer: Any, weights: dict[str, Tensor | None], x: Tensor,
               state: State) -> tuple[Tensor, State]:
    spec = layer.spec
    noise = {}
    if spec.zoneout:
        shape = (x.shape[0], layer.hidden_size)
        noise = {"zoneout_mask": zoneout_masks(spec.zoneout_rates, shape, layer.training, x)}
    return spec.step(x, state, **weights, **noise, **spec.options)


def for_single_rows(weights: dict[str, Tensor | None]) -> dict[str, Tensor | None]:
    """The same weights, detached and stored column-major (``w.t().contiguous().t()``).

    For one row at a time (B = 1) MKL's product x Wᵀ is several times faster when
    Wᵀ is contiguous (measured: a (1, 256) × (256, 10,000) output layer 1.4 ms ->
    0.48 ms); the values are the same. A snapshot: for inference only.
    """
    return {k: None if w is None else w.detach().t().contiguous().t() for k, w in weights.items()}


def cell_steps(layer: Any, frozen: bool = False) -> list[CellStep]:
    """Per cell k = l·D + d of ``layer``, ``step(x (B, I), state_k) -> (h, state_k)``.

    ``frozen=True`` binds a column-major snapshot of the weights (:func:`for_single_rows`):
    faster for B = 1 inference, but it does not follow later changes to the parameters.
    """
    if layer.spec is None:
        return list(layer.cells)  # a user's cell is its own step
    kernel = CELL_KERNELS.get(layer.spec.fused) if layer.fused_available() else None
    paired = len(layer.state_names) == 2
    steps = []
    for weights in layer.forward_weights():
        weights = for_single_rows(weights) if frozen else weights
        if kernel is not None:
            steps.append(functools.partial(_kernel_step, kernel, weights, paired))
        else:
            steps.append(functools.partial(_spec_step, layer, weights))
    return steps


def run_one_step(layer: Any, x: Tensor, hx: State) -> tuple[Tensor, State]:
    """x (B, I) and hx (L·D, B, H) (or (h, c)) -> (output (B, D·H), state (L·D, B, H))."""
    steps = cell_steps(layer)
    paired = isinstance(hx, tuple)
    D = layer.num_directions
    finals: list[State] = []
    for index in range(layer.num_layers):
        outs = []
        for d in range(D):  # with one step, both directions read the same x_0
            k = index * D + d
            h, state = steps[k](x, (hx[0][k], hx[1][k]) if paired else hx[k])
            outs.append(h)
            finals.append(state)
        x = torch.cat(outs, dim=-1) if D == 2 else outs[0]  # (B, D·H)
        if layer.dropout > 0 and layer.training and index < layer.num_layers - 1:
            x = F.dropout(x, layer.dropout, training=True)
    if paired:
        return x, (torch.stack([s[0] for s in finals]), torch.stack([s[1] for s in finals]))
    return x, torch.stack(finals)
