"""Gradient clipping and the three classic optimisers, in NumPy, updating parameters in place.

    clip by norm  (Pascanu et al. 2013):  ĝ = g · min(1, θ / ‖g‖),   ‖g‖ over all parameters
    clip by value:                         ĝ = min(max(g, -θ), θ)    element-wise
    SGD:      W ← W − η g
    Adagrad:  G ← G + g²;   W ← W − η g / (√G + ε)                         (Duchi et al. 2011)
    Adam:     m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;
              W ← W − η m̂ / (√v̂ + ε),  m̂ = m/(1−β₁ᵗ),  v̂ = v/(1−β₂ᵗ)       (Kingma & Ba 2015)

Each optimiser matches ``torch.optim`` with the same hyper-parameters (tested).
"""

from __future__ import annotations

import numpy as np

Params = dict[str, np.ndarray]


def global_norm(grads: Params) -> float:
    """‖g‖ = sqrt(Σ_W Σ g²) over every parameter."""
    return float(np.sqrt(sum(float((g * g).sum()) for g in grads.values())))


def clip_grad_norm(grads: Params, max_norm: float) -> float:
    """Rescale all gradients in place so that ‖g‖ ≤ θ; return the norm *before* clipping."""
    if max_norm <= 0:
        raise ValueError(f"expected max_norm > 0, got {max_norm}")
    norm = global_norm(grads)
    if norm > max_norm:
        for g in grads.values():
            g *= max_norm / norm
    return norm


def clip_grad_value(grads: Params, clip_value: float) -> None:
    """Clamp every gradient entry to [-θ, θ] in place."""
    if clip_value <= 0:
        raise ValueError(f"expected clip_value > 0, got {clip_value}")
    for g in grads.values():
        np.clip(g, -clip_value, clip_value, out=g)


class SGD:
    def __init__(self, params: Params, lr: float) -> None:
        self.params, self.lr = params, lr

    def step(self, grads: Params) -> None:
        for name, W in self.params.items():
            W -= self.lr * grads[name]  # W ← W − η g


class Adagrad:
    def __init__(self, params: Params, lr: float = 1e-2, eps: float = 1e-10) -> None:
        self.params, self.lr, self.eps = params, lr, eps
        self.G = {name: np.zeros_like(W) for name, W in params.items()}  # Σ g² so far

    def step(self, grads: Params) -> None:
        for name, W in self.params.items():
            g = grads[name]
            self.G[name] += g * g
            W -= self.lr * g / (np.sqrt(self.G[name]) + self.eps)


class Adam:
    def __init__(self, params: Params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8) -> None:
        self.params, self.lr, self.betas, self.eps = params, lr, betas, eps
        self.m = {name: np.zeros_like(W) for name, W in params.items()}
        self.v = {name: np.zeros_like(W) for name, W in params.items()}
        self.t = 0

    def step(self, grads: Params) -> None:
        beta1, beta2 = self.betas
        self.t += 1
        for name, W in self.params.items():
            g = grads[name]
            self.m[name] = beta1 * self.m[name] + (1 - beta1) * g
            self.v[name] = beta2 * self.v[name] + (1 - beta2) * g * g
            m_hat = self.m[name] / (1 - beta1**self.t)
            v_hat = self.v[name] / (1 - beta2**self.t)
            W -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


OPTIMIZERS = {"sgd": SGD, "adagrad": Adagrad, "adam": Adam}


def make_optimizer(name: str, params: Params, lr: float):
    if name not in OPTIMIZERS:
        raise ValueError(f"expected optimizer in {sorted(OPTIMIZERS)}, got {name!r}")
    return OPTIMIZERS[name](params, lr=lr)
