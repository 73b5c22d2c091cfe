"""Gradient clipping in one place, and the per-parameter gradient norms.

The global norm ‖g‖₂ = sqrt(Σ_p ‖∇_p L‖²) is measured *before* clipping and
returned, so the log shows how large the gradient really was (Pascanu et al.
2013: clipping hides exploding gradients unless the raw norm is recorded).
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn


def clip_gradients(parameters: Iterable[nn.Parameter], clip_value: float | None,
                   clip_norm: float | None) -> float:
    """Clip by value, then by global norm; return ‖g‖₂ before any clipping (0 if no grads)."""
    params = [p for p in parameters if p.grad is not None]
    if not params:
        return 0.0
    norm = torch.nn.utils.get_total_norm([p.grad for p in params], 2.0)  # ‖g‖₂ pre-clip
    if clip_value is not None:
        torch.nn.utils.clip_grad_value_(params, clip_value)  # g_i ← clamp(g_i, −v, v)
    if clip_norm is not None:
        torch.nn.utils.clip_grad_norm_(params, clip_norm)  # g ← g · min(1, τ / ‖g‖₂)
    return float(norm)


def parameter_grad_norms(model: nn.Module) -> dict[str, float]:
    """``{parameter name: ‖∇_p L‖₂}`` for every parameter with a gradient (after backward)."""
    return {name: float(p.grad.detach().norm(dtype=_at_least_float32(p.grad.dtype)))
            for name, p in model.named_parameters() if p.grad is not None}


def _at_least_float32(dtype: torch.dtype) -> torch.dtype:
    return torch.float64 if dtype == torch.float64 else torch.float32  # no fp16/bf16 overflow
