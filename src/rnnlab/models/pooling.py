"""Pooling: one vector per sequence from the encoder's outputs, padding never included.

Symbols: T time, B batch, D the encoder's output size (D·H for a recurrent
encoder with D directions), mask m_t = 1 for t < length, 0 on padding.

* ``last`` — the state after the last real step: h_{len−1} (a bidirectional
  RNN: the forward half at len−1 and the backward half at t = 0, where the
  backward direction has read the whole sequence);
* ``mean`` — Σ_t m_t h_t / len;
* ``max`` — max over t with m_t = 1, per feature (Collobert et al. 2011);
* ``attention`` — e_t = v·tanh(W h_t + b), α = softmax over the real steps,
  pooled = Σ_t α_t h_t (Yang et al. 2016, Lin et al. 2017); α is returned so it
  can be drawn over the text.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

POOLINGS = ("last", "mean", "max", "attention")


def length_mask(lengths: Tensor, steps: int) -> Tensor:
    """(T, B) bool, True on the real steps t < lengths[b]."""
    return torch.arange(steps, device=lengths.device)[:, None] < lengths[None, :]  # (T, B)


class Pooling(nn.Module):
    """outputs (T, B, D), lengths (B,) -> (pooled (B, D), attention weights (T, B) or None).

    Args:
        kind: "last", "mean", "max" or "attention".
        size: D.
        directions: 2 when the outputs are [forward ; backward] halves of a
            bidirectional RNN (``last`` then takes each half at its own end).
        attention_size: width of the scoring layer W (attention only).
    """

    def __init__(self, kind: str, size: int, directions: int = 1, attention_size: int = 64):
        super().__init__()
        if kind not in POOLINGS:
            raise ValueError(f"expected pooling in {POOLINGS}, got {kind!r}")
        if directions not in (1, 2) or size % directions:
            raise ValueError(f"expected 1 or 2 directions dividing size {size}, got {directions}")
        self.kind, self.size, self.directions = kind, size, directions
        if kind == "attention":
            self.score = nn.Sequential(nn.Linear(size, attention_size), nn.Tanh(),
                                       nn.Linear(attention_size, 1, bias=False))  # v·tanh(Wh+b)

    def forward(self, outputs: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor | None]:
        steps, batch, size = outputs.shape
        if size != self.size or lengths.shape != (batch,):
            raise ValueError(f"expected outputs (T, B, {self.size}) and lengths (B,), got "
                             f"{tuple(outputs.shape)} and {tuple(lengths.shape)}")
        lengths = lengths.to(outputs.device)
        mask = length_mask(lengths, steps)  # (T, B)
        if self.kind == "last":
            rows = torch.arange(batch, device=outputs.device)
            last = outputs[lengths - 1, rows]  # (B, D): h at each sequence's last real step
            if self.directions == 2:
                half = size // 2
                last = torch.cat([last[:, :half], outputs[0, :, half:]], dim=-1)  # bwd ends at 0
            return last, None
        if self.kind == "mean":
            summed = (outputs * mask[..., None]).sum(0)  # (B, D)
            return summed / lengths[:, None].to(outputs.dtype), None
        if self.kind == "max":
            return outputs.masked_fill(~mask[..., None], float("-inf")).amax(0), None
        scores = self.score(outputs).squeeze(-1)  # e_t (T, B)
        alpha = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=0)  # α (T, B)
        return (alpha[..., None] * outputs).sum(0), alpha  # Σ_t α_t h_t (B, D)
