"""Whole-sequence kernels of the plain cells (Elman any φ, LSTM, GRU) for the ``sequence`` backend.

A kernel is the recurrence of one cell family without autograd: the driver
(:mod:`rnnlab.layers.sequence_kernel`) hands it the input projection of all
steps, a_t (B, G·H), calls ``forward(t, a_t, s_{t-1})`` for t = 0 … T−1 and,
after ``begin_backward``, ``backward(t, ds̃_t)`` for t = T−1 … 0; ``finish``
returns ∂J/∂a for all steps (one tensor (T, B, G·H)) and the gradients of the
recurrent weights, each summed over time with one matrix product
(∂J/∂W_hh = Σ_t δ_tᵀ h_{t-1}). What a kernel owns:

* ``project(x, weights, options)``: a (T, B, G·H) from x (T, B, I) for all
  steps, with autograd (one matrix product; the biases that sit outside the
  recurrence are folded in here, so autograd sums their gradients);
* ``recurrent``: the names of the weights the recurrence itself reads, whose
  gradients the kernel writes by hand.

The backward equations are the NumPy reference engine's (``rnnlab/reference``,
one file per cell), one step at a time on the step's cached values (in cache,
where they were left; precomputing them for all steps at once streams
(T, B, G·H) arrays through memory and was slower), so a step of BPTT is a
handful of element-wise ops and one (B, G·H) × (G·H, H) product; the local
derivatives are PyTorch's own element-wise backward ops (``sigmoid_backward``:
d ⊙ s(1 − s), ``tanh_backward``: d ⊙ (1 − y²)). Internally the LSTM keeps its
gate blocks in the order i, f, o, g (one sigmoid over 3H, one tanh over H);
``project`` and ``finish`` translate. The products with W_hh and the input
projection run on oneDNN where it is faster (:mod:`rnnlab.layers.products`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import Tensor

from rnnlab.layers.products import fixed_product, fixed_product_add, linear

States = tuple[Tensor, ...]


def block_order(order: tuple[int, ...], hidden_size: int, device: Any) -> Tensor:
    """Row index putting H-blocks in ``order`` (e.g. (0, 1, 3, 2): i, f, o, g from i, f, g, o)."""
    return torch.cat([torch.arange(b * hidden_size, (b + 1) * hidden_size, device=device)
                      for b in order])


def summed_bias(w: Mapping[str, Tensor | None]) -> Tensor | None:
    """b_ih + b_hh (None without bias): both shifts sit outside the recurrence."""
    return None if w["bias_ih"] is None else w["bias_ih"] + w["bias_hh"]


def weight_grad(delta: Tensor, inputs: Tensor) -> Tensor:
    """Σ_t δ_tᵀ v_t as one product: δ (T, B, G·H), v (T, B, H) -> (G·H, H)."""
    return delta.reshape(-1, delta.shape[-1]).t() @ inputs.reshape(-1, inputs.shape[-1])


class ElmanKernel:
    """h_t = φ(a_t + W_hh h_{t-1});  δ_t = dh_t ⊙ φ'(a_t),  dh_{t-1} = δ_t W_hh."""

    num_states = 1
    recurrent = ("weight_hh",)

    @staticmethod
    def project(x: Tensor, w: Mapping[str, Tensor | None], options: Mapping) -> Tensor:
        return linear(x, w["weight_ih"], summed_bias(w))  # W_ih x_t + b_ih + b_hh, (T, B, H)

    def __init__(self, weights: tuple[Tensor, ...], options: Mapping, hidden_size: int,
                 batch_size: int) -> None:
        (self.W_hh,) = weights  # (H, H)
        self.B = batch_size
        self.recur = fixed_product_add(self.W_hh, batch_size)  # (h, a) -> a + W_hh h
        self.phi = options.get("nonlinearity", "tanh")
        self.h: list[Tensor] = []  # h̃_t, the step's own output before zoneout or masking

    def forward(self, t: int, a_t: Tensor, prev: States) -> States:
        h = self.recur(prev[0], a_t)  # a_t + W_hh h_{t-1}
        getattr(h, self.phi + "_")()  # h̃_t = φ(…), in place
        self.h.append(h)
        return (h,)

    def begin_backward(self, prev: States) -> None:
        h = torch.stack(self.h)  # (T, B, H)
        if self.phi == "tanh":
            self.D = 1 - h * h  # φ'(a) from the output
        elif self.phi == "sigmoid":
            self.D = h * (1 - h)
        else:
            self.D = (h > 0).to(h.dtype)
        self.delta = torch.empty_like(h)
        self.back = fixed_product(self.W_hh.t(), self.B)  # δ -> δ W_hh

    def backward(self, t: int, ds: States) -> States:
        delta = torch.mul(ds[0], self.D[t], out=self.delta[t])  # δ_t = dh_t ⊙ φ'(a_t)
        return (self.back(delta),)  # dh_{t-1} = δ_t W_hh

    def finish(self, prev: States) -> tuple[Tensor, tuple[Tensor | None, ...]]:
        return self.delta, (weight_grad(self.delta, prev[0]),)


LSTM_ORDER = (0, 1, 3, 2)  # internal gate blocks i, f, o, g (from PyTorch's i, f, g, o)
LSTM_BACK = (0, 1, 3, 2)  # and back (the same swap)
# the local derivatives as single element-wise ops (PyTorch's own autograd formulas)
sigmoid_backward = torch.ops.aten.sigmoid_backward  # (d, s) -> d ⊙ s(1 − s)
tanh_backward = torch.ops.aten.tanh_backward  # (d, y) -> d ⊙ (1 − y²)
sigmoid_backward_into = torch.ops.aten.sigmoid_backward.grad_input  # the same, into grad_input=
tanh_backward_into = torch.ops.aten.tanh_backward.grad_input


def tanh_(a: Tensor) -> Tensor:
    """tanh in place as 2σ(2a) − 1: PyTorch's CPU sigmoid is vectorised, and this is
    about 1.5× faster than its tanh here (measured: benchmarks/bench_layers.py notes)."""
    return a.mul_(2).sigmoid_().mul_(2).sub_(1)


def lstm_deltas(delta: Tensor, dh: Tensor, dc: Tensor, z: Tensor, c_prev: Tensor,
                tanh_out: Tensor) -> Tensor:
    """δ at the LSTM's pre-activations, gates i, f, o, g, into ``delta`` (B, 4H):
    [dc ⊙ g ⊙ i(1−i), dc ⊙ c_{t-1} ⊙ f(1−f), dh ⊙ tanh(·) ⊙ o(1−o), dc ⊙ i ⊙ (1−g²)]."""
    H = dh.shape[1]
    i, g = z[:, :H], z[:, 3 * H :]
    torch.mul(dc, g, out=delta[:, :H])  # ∂J/∂i
    torch.mul(dc, c_prev, out=delta[:, H : 2 * H])  # ∂J/∂f
    torch.mul(dh, tanh_out, out=delta[:, 2 * H : 3 * H])  # ∂J/∂o
    torch.mul(dc, i, out=delta[:, 3 * H :])  # ∂J/∂g
    sigmoid_backward_into(delta[:, : 3 * H], z[:, : 3 * H], grad_input=delta[:, : 3 * H])
    tanh_backward_into(delta[:, 3 * H :], g, grad_input=delta[:, 3 * H :])
    return delta


class LSTMKernel:
    """The LSTM of ``reference/lstm.py``; internally gates i, f, o, g.

    Forward:  z = a_t + W_hh h_{t-1};  i, f, o = σ(z_i, z_f, z_o),  g = tanh(z_g)
              c_t = f ⊙ c_{t-1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)
    Backward: dc = dc_t + dh_t ⊙ o ⊙ (1 − tanh² c_t)
              δ = [dc ⊙ g ⊙ i(1−i), dc ⊙ c_{t-1} ⊙ f(1−f), dh_t ⊙ tanh(c_t) ⊙ o(1−o),
                   dc ⊙ i ⊙ (1−g²)]
              dc_{t-1} = dc ⊙ f,   dh_{t-1} = δ W_hh
    """

    num_states = 2
    recurrent = ("weight_hh",)

    @staticmethod
    def project(x: Tensor, w: Mapping[str, Tensor | None], options: Mapping) -> Tensor:
        H = w["weight_hh"].shape[1]
        order = block_order(LSTM_ORDER, H, x.device)
        bias = summed_bias(w)
        return linear(x, w["weight_ih"][order], None if bias is None else bias[order])

    def __init__(self, weights: tuple[Tensor, ...], options: Mapping, hidden_size: int,
                 batch_size: int) -> None:
        (W_hh,) = weights
        self.H = hidden_size
        self.W = W_hh[block_order(LSTM_ORDER, hidden_size, W_hh.device)]  # (4H, H), i f o g
        self.B = batch_size
        self.recur = fixed_product_add(self.W, batch_size)  # (h, a) -> a + W h
        self.z: list[Tensor] = []  # gate values (B, 4H)
        self.tanh_c: list[Tensor] = []

    def forward(self, t: int, a_t: Tensor, prev: States) -> States:
        h_prev, c_prev = prev
        H = self.H
        z = self.recur(h_prev, a_t)  # a_t + W_hh h_{t-1}, (B, 4H)
        z[:, : 3 * H].sigmoid_()  # i, f, o
        tanh_(z[:, 3 * H :])  # g
        i, f, o, g = z[:, :H], z[:, H : 2 * H], z[:, 2 * H : 3 * H], z[:, 3 * H :]
        c = f * c_prev
        c.addcmul_(i, g)  # c_t = f ⊙ c_{t-1} + i ⊙ g
        tanh_c = tanh_(c * 1)
        self.z.append(z)
        self.tanh_c.append(tanh_c)
        return o * tanh_c, c  # h_t = o ⊙ tanh(c_t)

    def begin_backward(self, prev: States) -> None:
        self.c_prev = prev[1]
        self.delta = torch.empty(len(self.z), *self.z[0].shape, dtype=self.W.dtype,
                                 device=self.W.device)  # (T, B, 4H)
        self.back = fixed_product(self.W.t(), self.B)  # δ -> δ W_hh

    def backward(self, t: int, ds: States) -> States:
        dh, dc_next = ds
        H = self.H
        z, tanh_c = self.z[t], self.tanh_c[t]
        f, o = z[:, H : 2 * H], z[:, 2 * H : 3 * H]
        dc = tanh_backward(dh * o, tanh_c).add_(dc_next)  # dc_t + dh_t ⊙ o ⊙ (1 − tanh² c_t)
        delta = lstm_deltas(self.delta[t], dh, dc, z, self.c_prev[t], tanh_c)
        return self.back(delta), dc.mul_(f)  # dh_{t-1} = δ W_hh, dc_{t-1} = dc ⊙ f

    def finish(self, prev: States) -> tuple[Tensor, tuple[Tensor | None, ...]]:
        back = block_order(LSTM_BACK, self.H, self.delta.device)
        return self.delta, (weight_grad(self.delta, prev[0])[back],)


class GRUKernel:
    """The GRU of ``reference/gru.py`` (PyTorch's: r multiplies W_hn h + b_hn).

    Forward:  u = W_hh h_{t-1} + b_hh;  r, z = σ(a_r + u_r, a_z + u_z),  n = tanh(a_n + r ⊙ u_n)
              h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}
    Backward: δn = dh_t ⊙ (1−z)(1−n²),  δr = δn ⊙ u_n ⊙ r(1−r),  δz = dh_t ⊙ (h_{t-1} − n) z(1−z)
              δ^x = [δr, δz, δn],  δ^h = [δr, δz, δn ⊙ r],  dh_{t-1} = dh_t ⊙ z + δ^h W_hh
    """

    num_states = 1
    recurrent = ("weight_hh", "bias_hh")

    @staticmethod
    def project(x: Tensor, w: Mapping[str, Tensor | None], options: Mapping) -> Tensor:
        return linear(x, w["weight_ih"], w["bias_ih"])  # W_ih x_t + b_ih, (T, B, 3H)

    def __init__(self, weights: tuple[Tensor | None, ...], options: Mapping, hidden_size: int,
                 batch_size: int) -> None:
        self.W, self.b = weights  # (3H, H), (3H,) or None
        self.H, self.B = hidden_size, batch_size
        self.product = fixed_product(self.W, batch_size)  # h -> W_hh h
        self.u: list[Tensor] = []  # W_hh h_{t-1} + b_hh, (B, 3H)
        self.rz: list[Tensor] = []
        self.n: list[Tensor] = []

    def recurrent_term(self, h_prev: Tensor) -> Tensor:
        u = self.product(h_prev)  # W_hh h_{t-1}
        return u if self.b is None else u.add_(self.b)

    def forward(self, t: int, a_t: Tensor, prev: States) -> States:
        H = self.H
        u = self.recurrent_term(prev[0])  # (B, 3H)
        rz = torch.add(a_t[:, : 2 * H], u[:, : 2 * H]).sigmoid_()  # r_t, z_t
        n = torch.addcmul(a_t[:, 2 * H :], rz[:, :H], u[:, 2 * H :]).tanh_()  # n_t
        self.u.append(u)
        self.rz.append(rz)
        self.n.append(n)
        return (torch.lerp(n, prev[0], rz[:, H:]),)  # h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}

    def begin_backward(self, prev: States) -> None:
        self.h_prev = prev[0]
        T, (B, GH) = len(self.u), self.u[0].shape
        self.dx = torch.empty(T, B, GH, dtype=self.W.dtype, device=self.W.device)  # δ^x
        self.dh = torch.empty_like(self.dx)  # δ^h: ∂J/∂u_t
        self.back = fixed_product(self.W.t(), self.B)  # δ -> δ W_hh

    def deltas(self, t: int, dh: Tensor) -> Tensor:
        """δ^x_t and δ^h_t into their buffers, from dh_t; returns dh_t ⊙ z_t."""
        H = self.H
        u_n, rz, n = self.u[t][:, 2 * H :], self.rz[t], self.n[t]
        r, z = rz[:, :H], rz[:, H:]
        dx, du = self.dx[t], self.dh[t]
        dh_z = dh * z
        tanh_backward_into(dh - dh_z, n, grad_input=dx[:, 2 * H :])  # δn = dh (1−z)(1−n²)
        torch.mul(dx[:, 2 * H :], r, out=du[:, 2 * H :])  # δn ⊙ r: at W_hn h + b_hn
        torch.mul(dx[:, 2 * H :], u_n, out=dx[:, :H])
        sigmoid_backward_into(dx[:, :H], r, grad_input=dx[:, :H])  # δr = δn u_n r(1−r)
        sigmoid_backward_into((self.h_prev[t] - n).mul_(dh), z,
                              grad_input=dx[:, H : 2 * H])  # δz = dh (h_{t-1} − n) z(1−z)
        du[:, : 2 * H] = dx[:, : 2 * H]
        return dh_z

    def backward(self, t: int, ds: States) -> States:
        dh_z = self.deltas(t, ds[0])
        return (self.back(self.dh[t]).add_(dh_z),)  # dh ⊙ z + δ^h W_hh

    def finish(self, prev: States) -> tuple[Tensor, tuple[Tensor | None, ...]]:
        db = None if self.b is None else self.dh.sum((0, 1))
        return self.dx, (weight_grad(self.dh, prev[0]), db)
