"""Per-window (instance) normalisation of a forecaster's inputs, inverted on its outputs.

Symbols: B windows, L lookback, D non-calendar ("dynamic") input columns, the
first K of them the targets, H horizon, m seasonal period, P numbers per
forecast. Each window is described relative to itself, so a model trained at
one level (one station, one year) reads another level the same way, and the
forecast is moved back to the window's level:

    mode      network reads x'                     forecast ŷ = …
    last      x − x_t                               net + x_t        (NLinear, Zeng et al. 2023)
    mean      x − x̄                                 net + x̄          (RevIN without the scale)
    revin     (x − x̄) / s,  s = sqrt(var(x) + ε)    net · s + x̄      (RevIN, Kim et al. 2022)
    diff      Δx_τ = x_τ − x_{τ−1}  (0 at τ = 1)    net + x_t        (differenced inputs)
    anomaly   x − p_φ(τ)                            net + p_φ(t+h)   (anomaly from the window's
              p: the window's mean daily (seasonal) profile over its    own cycle)
              k = ⌊L/m⌋ last seasons, φ the phase of a step

x̄, s, x_t are per window and per column over the L input steps; the
calendar (known-ahead) columns are left alone. Adding a constant c_j to column j
of every input row leaves x' unchanged and moves ŷ_k by exactly c_k (tested);
``revin`` is also scale-equivariant. RevIN's learnable affine γ, β is not used.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

NORMALIZE = ("none", "last", "mean", "revin", "diff", "anomaly")
SCALED = ("revin",)  # modes that rescale the outputs (intervals need point/quantile heads)
FEEDBACK_SAFE = ("none", "last", "mean", "revin")  # one affine map per window: recursive-safe
EPS = 1e-5  # ε under the square root of the window variance (RevIN)


@dataclass
class WindowLevel:
    """How to move a forecast back to its window: ŷ = out · scale + shift (location outputs)."""

    shift: Tensor  # (B, 1, K) or (B, H, K) for "anomaly"
    scale: Tensor | None = None  # (B, 1, K); None: 1

    def to_data(self, out: Tensor, location: Tensor) -> Tensor:
        """Raw outputs (B, H, K, P) in window units -> data (globally scaled) units."""
        if self.scale is not None:
            out = out * self.scale[..., None]
        return out + self.shift[..., None] * location

    def to_window(self, y: Tensor) -> Tensor:
        """Targets (B, H', K) in data units -> window units (the inverse of ``to_data``)."""
        y = y - self.shift[:, : y.shape[1]]
        return y if self.scale is None else y / self.scale


def normalise_window(
    x: Tensor, mode: str, dynamic: int, targets: int, horizon: int, season: int = 0
) -> tuple[Tensor, WindowLevel | None]:
    """x (B, L, F) -> (x' (B, L, F), the level to add back); the last F − D columns untouched."""
    if mode == "none":
        return x, None
    if mode not in NORMALIZE:
        raise ValueError(f"unknown normalize {mode!r}; expected one of {NORMALIZE}")
    K = targets
    d, rest = x[..., :dynamic], x[..., dynamic:]  # (B, L, D), (B, L, F − D)
    scale = None
    if mode == "last":
        level = d[:, -1:]  # x_t, (B, 1, D)
        xn, shift = d - level, level[..., :K]
    elif mode in ("mean", "revin"):
        level = d.mean(dim=1, keepdim=True)  # x̄, (B, 1, D)
        xn, shift = d - level, level[..., :K]
        if mode == "revin":
            s = torch.sqrt(d.var(dim=1, unbiased=False, keepdim=True) + EPS)  # (B, 1, D)
            xn, scale = xn / s, s[..., :K]
    elif mode == "diff":
        step = d[:, 1:] - d[:, :-1]  # Δx, (B, L − 1, D)
        xn = torch.cat([torch.zeros_like(d[:, :1]), step], dim=1)
        shift = d[:, -1:, :K]
    else:  # anomaly
        xn, shift = _anomaly(d, K, horizon, season)
    return torch.cat([xn, rest], dim=-1), WindowLevel(shift, scale)


def _anomaly(d: Tensor, K: int, horizon: int, m: int) -> tuple[Tensor, Tensor]:
    """x − p_φ(τ) and the profile at the H future steps, p from the last k = ⌊L/m⌋ seasons."""
    B, L, D = d.shape
    if not 1 <= m <= L:
        raise ValueError(f"normalize 'anomaly' needs a seasonal period 1 <= m <= lookback {L}, "
                         f"got {m}")
    k = L // m
    first = L - k * m  # rows first .. L − 1 hold k whole seasons; phase(τ) = (τ − first) mod m
    profile = d[:, first:].reshape(B, k, m, D).mean(dim=1)  # p, (B, m, D)
    phase = (torch.arange(L, device=d.device) - first) % m  # (L,)
    future = torch.arange(horizon, device=d.device) % m  # step h lands on phase (k·m + h) mod m
    return d - profile[:, phase], profile[:, future, :K]
