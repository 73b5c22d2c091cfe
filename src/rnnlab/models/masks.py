"""Masks over padded, time-major batches (T, B, ·): which steps are padding, which are future.

A batch of sequences of different lengths is right-padded to T steps; the
lengths (B,) say where each one ends. The non-recurrent encoders (Transformer,
CNN, window MLP) read these masks so that a padded step never reaches a valid
output, and return zeros on the padded steps as the recurrent layers do.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor


def padding_mask(lengths: Tensor | None, steps: int, batch: int,
                 device: Any = None) -> Tensor | None:
    """lengths (B,) -> key padding mask (B, T) on ``device``, True on the padded steps
    (None: no padding)."""
    if lengths is None:
        return None
    lengths = torch.as_tensor(lengths).reshape(-1)
    if len(lengths) != batch or int(lengths.min()) < 1 or int(lengths.max()) > steps:
        raise ValueError(f"expected {batch} lengths in [1, {steps}], got {lengths.tolist()}")
    lengths = lengths.to(device)
    return torch.arange(steps, device=lengths.device)[None, :] >= lengths[:, None]  # (B, T)


def causal_mask(steps: int, device: Any) -> Tensor:
    """(T, T) bool, True above the diagonal: query t may not attend to keys after t."""
    return torch.ones(steps, steps, dtype=torch.bool, device=device).triu(1)


def zero_padding(out: Tensor, pad: Tensor | None) -> Tensor:
    """out (T, B, D) with the padded steps (pad (B, T) True) set to zero."""
    return out if pad is None else out.masked_fill(pad.T[:, :, None], 0.0)
