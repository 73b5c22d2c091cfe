"""Whole-sequence kernels of the LayerNorm LSTM and GRU for the ``sequence`` backend.

The contract is :mod:`rnnlab.layers.sequence_cells`'s. The input side,
LN(W_ih x_t; γ_ih) + b_ih (+ b_hh for the LSTM), does not depend on the state,
so ``project`` computes it for all steps at once (:class:`BlockNormShift`); the
recurrence normalises W_hh h_{t-1} per gate block (and the LSTM's c_t) at
every step, and its backward uses the derivative of layer normalisation,
``reference/layer_norm.py``'s equation: for â = (a − μ)/σ over H units,

    ∂J/∂a = (1/σ) ⊙ (dâ − mean(dâ) − â ⊙ mean(dâ ⊙ â))

The gains' gradients are summed over time with one product each at the end.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import Tensor
from torch.autograd.function import once_differentiable

from rnnlab.cells.layer_norm import EPS
from rnnlab.layers.products import fixed_product, linear
from rnnlab.layers.sequence_cells import (
    LSTM_BACK,
    LSTM_ORDER,
    GRUKernel,
    States,
    block_order,
    lstm_deltas,
    summed_bias,
    tanh_,
    tanh_backward_into,
    weight_grad,
)


def normalized(a: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """(â, μ, 1/σ) over the last dimension: a (…, H) -> (…, H), (…, 1), (…, 1)."""
    return torch.native_layer_norm(a, a.shape[-1:], None, None, EPS)


def layer_norm_backward(d_hat: Tensor, a: Tensor, mean: Tensor, rstd: Tensor) -> Tensor:
    """∂J/∂a = (1/σ) ⊙ (dâ − mean(dâ) − â ⊙ mean(dâ ⊙ â)) over the last dimension.

    ATen's ``native_layer_norm_backward`` (the op autograd itself runs) computes
    exactly this equation, in one pass instead of six element-wise ops; the NumPy
    reference writes it out (``reference/layer_norm.py``) and the tests hold this
    kernel to it.
    """
    return torch.ops.aten.native_layer_norm_backward(
        d_hat, a, a.shape[-1:], mean, rstd, None, None, [True, False, False])[0]


class BlockNormShift(torch.autograd.Function):
    """γ ⊙ LN(a) + β per gate block for a (N, G·H): the input side of the LayerNorm kernels,
    all steps at once. Forward one ``native_layer_norm`` over the (N·G, H) blocks; backward
    :func:`layer_norm_backward` on all of them at once, ∂J/∂γ = Σ dy ⊙ â, ∂J/∂β = Σ dy
    (4× faster than autograd through ``F.group_norm`` on a (3200, 1024) projection here)."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, blocks: int, gain: Tensor, shift: Tensor | None) -> Tensor:
        N, GH = a.shape
        rows = a.reshape(N * blocks, GH // blocks)  # one row per gate block
        a_hat, mean, rstd = normalized(rows)
        a_hat = a_hat.view(N, GH)
        ctx.save_for_backward(rows, mean, rstd, gain, a_hat)
        ctx.has_shift = shift is not None
        return a_hat * gain if shift is None else torch.addcmul(shift, a_hat, gain)

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, dy: Tensor) -> tuple[Tensor | None, ...]:
        rows, mean, rstd, gain, a_hat = ctx.saved_tensors
        da = layer_norm_backward((dy * gain).view_as(rows), rows, mean, rstd).view_as(dy)
        d_shift = dy.sum(0) if ctx.has_shift else None
        return da, None, (dy * a_hat).sum(0), d_shift


def block_norm_shift(a: Tensor, blocks: int, gain: Tensor, shift: Tensor | None) -> Tensor:
    """γ ⊙ LN(a) + β per gate block: a (T, B, G·H) -> (T, B, G·H)."""
    rows = a.reshape(-1, a.shape[-1])
    return BlockNormShift.apply(rows, blocks, gain, shift).view(a.shape)


class LNLSTMKernel:
    """The LayerNorm LSTM of ``cells/ln_lstm.py``; internally gates i, f, o, g.

    Forward:  z = a_t + γ_hh ⊙ LN(W_hh h_{t-1});  i, f, o = σ(·), g = tanh(·)
              c_t = f ⊙ c_{t-1} + i ⊙ g,   y_t = γ_c ⊙ LN(c_t) + β_c,   h_t = o ⊙ tanh(y_t)
    Backward: dy = dh_t ⊙ o ⊙ (1 − tanh² y_t);  dc = dc_t + LN'(γ_c ⊙ dy)
              δ as the plain LSTM's with tanh(y_t) for tanh(c_t);
              du = LN'(γ_hh ⊙ δ) per block,  dh_{t-1} = du W_hh,  dc_{t-1} = dc ⊙ f
    """

    num_states = 2
    recurrent = ("weight_hh", "ln_gain_hh", "ln_gain_c", "ln_bias_c")

    @staticmethod
    def project(x: Tensor, w: Mapping[str, Tensor | None], options: Mapping) -> Tensor:
        H = w["weight_hh"].shape[1]
        order = block_order(LSTM_ORDER, H, x.device)
        bias = summed_bias(w)
        return block_norm_shift(linear(x, w["weight_ih"][order]), 4, w["ln_gain_ih"][order],
                                None if bias is None else bias[order])  # (T, B, 4H): i, f, o, g

    def __init__(self, weights: tuple[Tensor, ...], options: Mapping, hidden_size: int,
                 batch_size: int) -> None:
        W_hh, gain_hh, self.gain_c, self.bias_c = weights
        order = block_order(LSTM_ORDER, hidden_size, W_hh.device)
        self.H = hidden_size
        self.W, self.gain_hh = W_hh[order], gain_hh[order]
        self.B = batch_size
        self.product = fixed_product(self.W, batch_size)  # h -> W_hh h
        self.cache: list[tuple[Tensor, ...]] = []

    def forward(self, t: int, a_t: Tensor, prev: States) -> States:
        h_prev, c_prev = prev
        B, H = h_prev.shape
        u = self.product(h_prev).view(B, 4, H)  # W_hh h_{t-1}, per block
        u_hat, mean_u, rstd_u = normalized(u)
        z = torch.addcmul(a_t, u_hat.view(B, 4 * H), self.gain_hh)  # (B, 4H)
        z[:, : 3 * H].sigmoid_()  # i, f, o
        tanh_(z[:, 3 * H :])  # g
        i, f, o, g = z[:, :H], z[:, H : 2 * H], z[:, 2 * H : 3 * H], z[:, 3 * H :]
        c = f * c_prev
        c.addcmul_(i, g)  # c_t = f ⊙ c_{t-1} + i ⊙ g
        c_hat, mean_c, rstd_c = normalized(c)
        tanh_y = tanh_(torch.addcmul(self.bias_c, c_hat, self.gain_c))  # tanh(y_t)
        self.cache.append((u, mean_u, rstd_u, z, c, mean_c, rstd_c, tanh_y))  # â is recomputed
        return o * tanh_y, c

    def begin_backward(self, prev: States) -> None:
        T, (B, GH) = len(self.cache), self.cache[0][3].shape
        like = {"dtype": self.W.dtype, "device": self.W.device}
        self.c_prev = prev[1]
        self.delta, self.du = torch.empty(T, B, GH, **like), torch.empty(T, B, GH, **like)
        self.dy = torch.empty(T, B, self.H, **like)
        self.d_gain_hh = torch.zeros(B, GH, **like)  # Σ_t δ_t ⊙ û_t, summed over B at the end
        self.d_gain_c = torch.zeros(B, self.H, **like)  # Σ_t dy_t ⊙ ĉ_t
        self.back = fixed_product(self.W.t(), self.B)  # du -> du W_hh

    def backward(self, t: int, ds: States) -> States:
        dh, dc_next = ds
        B, H = dh.shape
        u, mean_u, rstd_u, z, c, mean_c, rstd_c, tanh_y = self.cache[t]
        f, o = z[:, H : 2 * H], z[:, 2 * H : 3 * H]
        dy = tanh_backward_into(dh * o, tanh_y, grad_input=self.dy[t])  # ∂J/∂y_t
        self.d_gain_c.addcmul_(dy, (c - mean_c).mul_(rstd_c))  # Σ dy ⊙ ĉ
        dc = layer_norm_backward(dy * self.gain_c, c, mean_c, rstd_c).add_(dc_next)
        delta = lstm_deltas(self.delta[t], dh, dc, z, self.c_prev[t], tanh_y)
        self.d_gain_hh.addcmul_(delta, (u - mean_u).mul_(rstd_u).view(B, 4 * H))  # Σ δ ⊙ û
        du = layer_norm_backward((delta * self.gain_hh).view(B, 4, H), u, mean_u, rstd_u)
        self.du[t] = du.view(B, 4 * H)
        return self.back(self.du[t]), dc.mul_(f)  # dh_{t-1}, dc_{t-1}

    def finish(self, prev: States) -> tuple[Tensor, tuple[Tensor | None, ...]]:
        back = block_order(LSTM_BACK, self.H, self.delta.device)
        return self.delta, (
            weight_grad(self.du, prev[0])[back],
            self.d_gain_hh.sum(0)[back],  # ∂J/∂γ_hh = Σ_t δ_t ⊙ û_t
            self.d_gain_c.sum(0),  # ∂J/∂γ_c = Σ_t dy_t ⊙ ĉ_t
            self.dy.sum((0, 1)),  # ∂J/∂β_c
        )


class LNGRUKernel(GRUKernel):
    """The LayerNorm GRU of ``cells/ln_gru.py``: the GRU kernel with u = γ_hh ⊙ LN(W_hh h) + b_hh.

    Backward: as the GRU's up to δ^h (the gradient at u); then du = LN'(γ_hh ⊙ δ^h) per
    block and dh_{t-1} = dh_t ⊙ z + du W_hh.
    """

    recurrent = ("weight_hh", "bias_hh", "ln_gain_hh")

    @staticmethod
    def project(x: Tensor, w: Mapping[str, Tensor | None], options: Mapping) -> Tensor:
        return block_norm_shift(linear(x, w["weight_ih"]), 3, w["ln_gain_ih"],
                                w["bias_ih"])  # (T, B, 3H)

    def __init__(self, weights: tuple[Tensor | None, ...], options: Mapping, hidden_size: int,
                 batch_size: int) -> None:
        super().__init__(weights[:2], options, hidden_size, batch_size)
        self.gain = weights[2]
        self.norm: list[tuple[Tensor, Tensor]] = []

    def recurrent_term(self, h_prev: Tensor) -> Tensor:
        B, H = h_prev.shape
        u = self.product(h_prev).view(B, 3, H)  # W_hh h_{t-1}, per block
        u_hat, mean, rstd = normalized(u)
        self.norm.append((u, mean, rstd))  # û is recomputed in the backward
        u_hat = u_hat.view(B, 3 * H)
        return u_hat * self.gain if self.b is None else torch.addcmul(self.b, u_hat, self.gain)

    def begin_backward(self, prev: States) -> None:
        super().begin_backward(prev)
        self.du = torch.empty_like(self.dx)
        self.d_gain = torch.zeros_like(self.dx[0])  # Σ_t δ^h_t ⊙ û_t, summed over B at the end

    def backward(self, t: int, ds: States) -> States:
        B, H = ds[0].shape
        dh_z = self.deltas(t, ds[0])  # δ^h = ∂J/∂u_t into self.dh[t]
        u, mean, rstd = self.norm[t]
        self.d_gain.addcmul_(self.dh[t], (u - mean).mul_(rstd).view(B, 3 * H))  # Σ δ^h ⊙ û
        du = layer_norm_backward((self.dh[t] * self.gain).view(B, 3, H), u, mean, rstd)
        self.du[t] = du.view(B, 3 * H)
        return (self.back(self.du[t]).add_(dh_z),)  # dh ⊙ z + du W_hh

    def finish(self, prev: States) -> tuple[Tensor, tuple[Tensor | None, ...]]:
        db = None if self.b is None else self.dh.sum((0, 1))
        return self.dx, (weight_grad(self.du, prev[0]), db, self.d_gain.sum(0))
