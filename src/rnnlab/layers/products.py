"""Products with a weight that stays fixed over a whole sequence: v ↦ v Wᵀ, step after step.

The recurrence multiplies by the same W_hh at every step (forward) and by it
again at every step of BPTT. On the CPU in float32, oneDNN (the library
``torch.nn.LSTM`` runs on the CPU) lays W out once for its GEMM
(``torch.ops.mkldnn._reorder_linear_weight``) and then multiplies a (B, H) block
1.2–2.2× faster than ``torch.mm`` does through MKL on the development machine
(an AMD EPYC: (20, 650) × (650, 2600) 1.65 ms -> 0.93 ms; (32, 256) × (256, 1024)
0.26 -> 0.23 ms). Elsewhere (float64, CUDA, builds without oneDNN) the product is
``torch.mm``. ``ONEDNN`` switches the fast path off (the tests run both ways).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

ONEDNN = torch.backends.mkldnn.is_available() and hasattr(torch.ops.mkldnn, "_linear_pointwise")


def _onednn(W: Tensor) -> bool:
    return ONEDNN and W.device.type == "cpu" and W.dtype == torch.float32


def fixed_product(W: Tensor, batch_size: int) -> Callable[[Tensor], Tensor]:
    """v (B, K) ↦ v Wᵀ (B, N) for W (N, K), the same W at every call."""
    if _onednn(W):
        packed = torch.ops.mkldnn._reorder_linear_weight(W.contiguous(), batch_size)
        linear = torch.ops.mkldnn._linear_pointwise
        return lambda v: linear(v, packed, None, "none", [], "")
    WT = W.t()
    return lambda v: torch.mm(v, WT)


def fixed_product_add(W: Tensor, batch_size: int) -> Callable[[Tensor, Tensor], Tensor]:
    """(v (B, K), a (B, N)) ↦ a + v Wᵀ for W (N, K), the same W at every call."""
    if _onednn(W):
        packed = torch.ops.mkldnn._reorder_linear_weight(W.contiguous(), batch_size)
        linear = torch.ops.mkldnn._linear_pointwise.binary
        return lambda v, a: linear(v, a, packed, None, "add")
    WT = W.t()
    return lambda v, a: torch.addmm(a, v, WT)


class _OneDNNLinear(torch.autograd.Function):
    """x Wᵀ + b for x (N, K) on oneDNN; backward: dx on oneDNN, dW and db with torch."""

    @staticmethod
    def forward(ctx, x: Tensor, W: Tensor, b: Tensor | None) -> Tensor:
        ctx.save_for_backward(x, W)
        ctx.has_bias = b is not None
        return torch.ops.mkldnn._linear_pointwise(x, W, b, "none", [], "")

    @staticmethod
    def backward(ctx, d: Tensor) -> tuple[Tensor | None, ...]:
        x, W = ctx.saved_tensors
        d = d.contiguous()
        dx = dW = db = None
        if ctx.needs_input_grad[0]:  # d W: about 1.4× faster on oneDNN than MKL here
            dx = torch.ops.mkldnn._linear_pointwise(d, W.t().contiguous(), None, "none", [], "")
        if ctx.needs_input_grad[1]:
            dW = d.t() @ x  # MKL is as fast or faster for this shape
        if ctx.has_bias and ctx.needs_input_grad[2]:
            db = d.sum(0)
        return dx, dW, db


def linear(x: Tensor, W: Tensor, b: Tensor | None = None) -> Tensor:
    """``F.linear(x, W, b)`` for x (…, K), on oneDNN where it is faster (float32 CPU):
    the input projection of all steps at once."""
    if not _onednn(W) or x.dtype != torch.float32:
        return torch.nn.functional.linear(x, W, b)
    rows = x.reshape(-1, x.shape[-1])  # (N, K)
    return _OneDNNLinear.apply(rows, W, b).reshape(*x.shape[:-1], W.shape[0])
