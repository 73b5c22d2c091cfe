"""The ``sequence`` backend: one autograd Function per layer and direction, BPTT by hand.

haste's design (Sharvil Nanavati's CUDA RNN library), on the CPU: for each layer
l and direction d,

1. the input projection of all T steps is one matrix product, with autograd
   (``kernel.project``: a (T, B, G·H));
2. the recurrence runs as a loop of small products with **no autograd graph**
   (:class:`SequenceFunction`, forward), keeping what the backward needs;
3. the backward is written by hand (BPTT with the reference engine's equations,
   in torch): a loop from t = T−1 down to 0 of element-wise products and one
   (B, G·H) × (G·H, H) product, then ∂J/∂W_hh = Σ_t δ_tᵀ h_{t-1} as one product.

Around any cell kernel (:mod:`rnnlab.layers.sequence_cells`,
:mod:`rnnlab.layers.sequence_ln_cells`) this driver adds, the same way the
explicit loop does:

* zoneout: s_t = d_t ⊙ s_{t-1} + (1 − d_t) ⊙ s̃_t with the layer's masks, and
  backward ds̃_t = (1 − d_t) ⊙ ds_t, ds_{t-1} += d_t ⊙ ds_t;
* variable lengths: past its length a sequence keeps its state and outputs
  zero; backward, its state gradient passes through those steps unchanged;
* the reverse direction reads each sequence backwards within its own length;
* dropout between layers and weight drop (W_hh from ``forward_weights()``,
  which autograd differentiates back to the parameter).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.autograd.function import once_differentiable

from rnnlab.cells.state import State
from rnnlab.layers.loop import reverse_padded
from rnnlab.layers.sequence_cells import ElmanKernel, GRUKernel, LSTMKernel
from rnnlab.layers.sequence_ln_cells import LNGRUKernel, LNLSTMKernel

# CellSpec.sequence -> kernel
KERNELS: dict[str, type] = {
    "elman": ElmanKernel,
    "lstm": LSTMKernel,
    "gru": GRUKernel,
    "ln-lstm": LNLSTMKernel,
    "ln-gru": LNGRUKernel,
}


@dataclass(frozen=True)
class DirectionPlan:
    """What one direction's Function needs besides its tensors."""

    kernel: type  # a class of sequence_cells / sequence_ln_cells
    options: Mapping[str, Any]  # the spec's options (Elman: nonlinearity)
    hidden_size: int  # H
    zoneout: tuple[Tensor, ...] | None  # d per state tensor, (T, B, H) each, or None
    valid: Tensor | None  # (T, B, 1) bool, t < length; None when every sequence is full
    shortest: int  # the first step at which some sequence has ended (T when none)


class SequenceFunction(torch.autograd.Function):
    """(a (T, B, G·H), s_0 …, recurrent weights …) -> (h (T, B, H), s_T …) for one direction."""

    @staticmethod
    def forward(ctx: Any, plan: DirectionPlan, a: Tensor, *tensors: Tensor | None) -> Any:
        run = DirectionRun(plan, tensors)
        out, final = run.forward(a)
        ctx.run = run
        return (out, *final)

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, d_out: Tensor, *d_final: Tensor) -> Any:
        d_a, d_states, d_weights = ctx.run.backward(d_out, d_final)  # may run again (retain_graph)
        return (None, d_a, *d_states, *d_weights)


class DirectionRun:
    """The loop over time of one direction, forward then backward, around a cell kernel."""

    def __init__(self, plan: DirectionPlan, tensors: Sequence[Tensor | None]) -> None:
        k = plan.kernel.num_states
        self.plan = plan
        self.s0 = tuple(tensors[:k])
        batch_size = self.s0[0].shape[0]
        self.kernel = plan.kernel(tuple(tensors[k:]), plan.options, plan.hidden_size, batch_size)

    def forward(self, a: Tensor) -> tuple[Tensor, tuple[Tensor, ...]]:
        plan, kernel = self.plan, self.kernel
        prev = self.s0
        carried = [prev]
        for t in range(a.shape[0]):
            s = kernel.forward(t, a[t], prev)  # s̃_t
            if plan.zoneout is not None:  # s_t = d_t ⊙ s_{t-1} + (1 − d_t) ⊙ s̃_t
                s = tuple(torch.lerp(n, p, d[t]) for n, p, d in
                          zip(s, prev, plan.zoneout, strict=True))
            if t >= plan.shortest:  # ended sequences keep their state
                v = plan.valid[t]  # (B, 1)
                s = tuple(torch.where(v, n, p) for n, p in zip(s, prev, strict=True))
            carried.append(s)
            prev = s
        out = torch.stack([s[0] for s in carried[1:]])  # (T, B, H)
        if plan.valid is not None:
            out = out * plan.valid  # zero past each length
        # s_{t-1} for every t, as the backward reads them
        self.prev = tuple(torch.stack(part) for part in zip(*carried[:-1], strict=True))
        return out, tuple(p.clone() for p in prev)

    def backward(self, d_out: Tensor, d_final: Sequence[Tensor]) -> tuple[Any, ...]:
        plan, kernel = self.plan, self.kernel
        kernel.begin_backward(self.prev)
        if plan.valid is not None:
            d_out = d_out * plan.valid
        keep = None if plan.zoneout is None else tuple(1 - d for d in plan.zoneout)
        ds = tuple(d_final)
        for t in range(d_out.shape[0] - 1, -1, -1):
            ds = (ds[0] + d_out[t], *ds[1:])  # ∂J/∂s_t: from the output and from step t+1
            through = None
            if t >= plan.shortest:  # steps past a length pass the gradient straight back
                v = plan.valid[t]
                through = tuple(d.masked_fill(v, 0.0) for d in ds)
                ds = tuple(d.masked_fill(~v, 0.0) for d in ds)
            if keep is None:
                ds = kernel.backward(t, ds)
            else:  # zoneout: ds̃_t = (1 − d_t) ⊙ ds_t, and d_t ⊙ ds_t goes straight to s_{t-1}
                cand = tuple(d * k[t] for d, k in zip(ds, keep, strict=True))
                back = kernel.backward(t, cand)
                ds = tuple(torch.addcmul(b, d, z[t]) for b, d, z in
                           zip(back, ds, plan.zoneout, strict=True))
            if through is not None:
                ds = tuple(d + p for d, p in zip(ds, through, strict=True))
        d_a, d_weights = kernel.finish(self.prev)
        return d_a, ds, d_weights


def run_direction(
    kernel: type,
    options: Mapping[str, Any],
    x: Tensor,
    state: tuple[Tensor, ...],
    weights: Mapping[str, Tensor | None],
    lengths: Tensor | None,
    reverse: bool,
    zoneout: tuple[Tensor, ...] | None,
) -> tuple[Tensor, tuple[Tensor, ...]]:
    """One direction over x (T, B, I): (outputs (T, B, H), final state parts)."""
    a = kernel.project(x, weights, options)  # (T, B, G·H), all steps in one product
    T, H = x.shape[0], weights["weight_hh"].shape[1]
    valid, shortest = None, T
    if lengths is not None:
        valid = (torch.arange(T).unsqueeze(1) < lengths.unsqueeze(0)).unsqueeze(-1)  # (T, B, 1)
        valid, shortest = valid.to(x.device), int(lengths.min())
    if reverse:
        a = reverse_padded(a, lengths)
        if zoneout is not None:
            zoneout = tuple(reverse_padded(d, lengths) for d in zoneout)
    plan = DirectionPlan(kernel, options, H, zoneout, valid, shortest)
    out, *final = SequenceFunction.apply(
        plan, a, *state, *(weights[name] for name in kernel.recurrent))
    return (reverse_padded(out, lengths) if reverse else out), tuple(final)


def run_sequence_stack(
    layer: Any, x: Tensor, states: Sequence[State], lengths: Tensor | None
) -> tuple[Tensor, list[State]]:
    """L layers × D directions of ``layer`` (a Recurrent with a sequence kernel) over x (T, B, I).

    Returns the last layer's output (T, B, D·H) and the L·D final states, as
    :func:`rnnlab.layers.loop.run_stack` does for the explicit loop.
    """
    spec = layer.spec
    kernel = KERNELS[spec.sequence]
    weights = layer.forward_weights()  # weight drop first, then zoneout masks: as explicit
    noise = layer.forward_noise(x.shape[0], x.shape[1], x)
    D = layer.num_directions
    finals: list[State] = []
    for index in range(layer.num_layers):
        outs = []
        for d in range(D):
            k = index * D + d
            state = states[k] if isinstance(states[k], tuple) else (states[k],)
            zoneout = noise[k].get("zoneout_mask")
            out, final = run_direction(kernel, spec.options, x, state, weights[k], lengths,
                                       d == 1, zoneout)
            outs.append(out)
            finals.append(final if len(final) > 1 else final[0])
        x = torch.cat(outs, dim=-1) if D == 2 else outs[0]  # (T, B, D·H)
        if layer.dropout > 0 and layer.training and index < layer.num_layers - 1:
            x = F.dropout(x, layer.dropout, training=True)
    return x, finals
