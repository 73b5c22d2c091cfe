"""Layer normalisation (Ba et al. 2016) as the LayerNorm cells use it.

For a vector a of H numbers (one gate block of one example):

    μ = (1/H) Σ_j a_j,   σ² = (1/H) Σ_j (a_j − μ)²,   LN(a; γ, β) = γ ⊙ (a − μ) / √(σ² + ε) + β

``block_norm`` normalises each of the G gate blocks of a (B, G·H) pre-activation
separately (the input gate's statistics are not mixed with the forget gate's),
then scales by the gain γ (G·H,). ε = 1e-5, as ``torch.nn.LayerNorm``.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor

EPS = 1e-5  # ε of torch.nn.LayerNorm


def block_norm(a: Tensor, num_blocks: int, gain: Tensor) -> Tensor:
    """γ ⊙ LN(a) per gate block: a (…, G·H), gain (G·H,) -> (…, G·H)."""
    H = gain.shape[0] // num_blocks  # from the parameter: a constant when traced for export
    blocks = a.unflatten(-1, (num_blocks, H))  # (…, G, H)
    a_hat = F.layer_norm(blocks, (H,), eps=EPS)  # each block on its own
    return a_hat.flatten(-2) * gain


def layer_norm(a: Tensor, gain: Tensor, bias: Tensor) -> Tensor:
    """LN(a; γ, β) over the last dimension: a (B, H) -> (B, H)."""
    return F.layer_norm(a, gain.shape, gain, bias, eps=EPS)

