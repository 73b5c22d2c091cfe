"""Layer normalisation (Ba et al. 2016) in NumPy, forward and backward, per gate block.

Forward, for each example and each of the G blocks of H units of a (B, G·H):

    μ = (1/H) Σ_j a_j,   σ = √((1/H) Σ_j (a_j − μ)² + ε),   â = (a − μ) / σ
    y = γ ⊙ â (+ β)                                        ε = 1e-5, as torch

Backward, given dy:

    ∂J/∂γ = Σ_batch dy ⊙ â        ∂J/∂β = Σ_batch dy        dâ = dy ⊙ γ
    ∂J/∂a = (1/σ) ⊙ (dâ − mean(dâ) − â ⊙ mean(dâ ⊙ â))     (means over the H units)

The last line is the whole derivative of â with respect to a (μ and σ depend
on every a_j): dâ minus its projection on the constant vector and on â.
"""

from __future__ import annotations

import numpy as np

EPS = 1e-5


def block_norm(a: np.ndarray, blocks: int, gain: np.ndarray,
               bias: np.ndarray | None = None) -> tuple[np.ndarray, tuple]:
    """γ ⊙ LN(a) (+ β) per block: a (B, G·H) -> (y (B, G·H), cache)."""
    B, GH = a.shape
    v = a.reshape(B, blocks, GH // blocks)  # (B, G, H)
    mu = v.mean(axis=-1, keepdims=True)
    sigma = np.sqrt(((v - mu) ** 2).mean(axis=-1, keepdims=True) + EPS)
    a_hat = ((v - mu) / sigma).reshape(B, GH)  # â
    y = a_hat * gain if bias is None else a_hat * gain + bias
    return y, (a_hat, sigma, gain, blocks)


def block_norm_backward(dy: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(∂J/∂a, ∂J/∂γ, ∂J/∂β) from ∂J/∂y, each the shape of what it differentiates."""
    a_hat, sigma, gain, blocks = cache
    B, GH = dy.shape
    d_hat = (dy * gain).reshape(B, blocks, GH // blocks)  # dâ, per block
    h = a_hat.reshape(B, blocks, GH // blocks)
    da = (d_hat - d_hat.mean(axis=-1, keepdims=True)
          - h * (d_hat * h).mean(axis=-1, keepdims=True)) / sigma
    return da.reshape(B, GH), (dy * a_hat).sum(axis=0), dy.sum(axis=0)
