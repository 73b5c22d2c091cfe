"""Gradient clipping in one place, and the gradient-norm watch.

The global norm ‖g‖₂ = sqrt(Σ_p ‖∇_p L‖²) is measured *before* clipping and
returned, so the log shows how large the gradient really was (Pascanu et al.
2013: clipping hides exploding gradients unless the raw norm is recorded).
"""

from __future__ import annotations

import statistics
from collections import deque
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
    """``{"grad_norm/<parameter name>": ‖∇_p L‖₂}`` for every parameter with a gradient."""
    return {f"grad_norm/{name}": float(p.grad.detach().float().norm())
            for name, p in model.named_parameters() if p.grad is not None}


class ExplosionWatch:
    """Flags a gradient norm above ``factor`` × the median of the last ``window`` norms."""

    def __init__(self, factor: float, window: int = 100, min_history: int = 20) -> None:
        self.factor = factor
        self.min_history = min_history  # no verdict before this many norms
        self.norms: deque[float] = deque(maxlen=window)

    def median(self) -> float:
        return statistics.median(self.norms)

    def is_exploding(self, norm: float) -> bool:
        return len(self.norms) >= self.min_history and norm > self.factor * self.median()

    def add(self, norm: float) -> None:
        self.norms.append(norm)
