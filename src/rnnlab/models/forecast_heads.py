"""Output heads of the forecaster: a point, a Gaussian, or quantiles per (step, target).

A head turns the network's raw outputs (B, H, K, P) into forecasts and owns
its loss. Symbols: B windows, H steps, K targets, P numbers per forecast.

    point      P = 1   loss = mean (ŷ − y)²  (or mean |ŷ − y|, or Huber with δ = 1)
    gaussian   P = 2   μ = a₀, σ = softplus(a₁) + ε;  loss = mean ½ log 2πσ² + (y − μ)² / 2σ²
    quantile   P = Q   q-th output ŷ_q;  loss = mean_q max(q (y − ŷ_q), (q − 1)(y − ŷ_q))

The Gaussian head gives any central interval μ ± z σ (z = Φ⁻¹((1 + level)/2));
the quantile head gives the intervals its quantiles span. Quantile outputs are
sorted before use (monotone rearrangement, Chernozhukov et al. 2010) so they
never cross.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import torch
import torch.nn.functional as F
from torch import Tensor, nn

OUTPUTS = ("point", "gaussian", "quantile")
POINT_LOSSES = ("mse", "l1", "huber")


class PointHead(nn.Module):
    """One number per (step, target), trained by MSE (the mean), L1 (the median) or Huber:
    ½e² for |e| ≤ δ, δ(|e| − ½δ) beyond, δ = 1 (on standardised targets: one σ)."""

    params = 1
    location = (1.0,)  # which of the P outputs are locations (shifted by a highway)

    def __init__(self, loss: str = "mse") -> None:
        super().__init__()
        if loss not in POINT_LOSSES:
            raise ValueError(f"unknown point loss {loss!r}; expected one of {POINT_LOSSES}")
        self.kind = loss

    def loss(self, out: Tensor, y: Tensor) -> Tensor:
        if self.kind == "l1":
            return F.l1_loss(out[..., 0], y)
        if self.kind == "huber":
            return F.huber_loss(out[..., 0], y, delta=1.0)
        return F.mse_loss(out[..., 0], y)

    def point(self, out: Tensor) -> Tensor:
        return out[..., 0]  # (B, H, K)


class GaussianHead(nn.Module):
    params = 2
    location = (1.0, 0.0)
    eps = 1e-4  # floor on σ: keeps the NLL finite when a residual is ~0

    def mean_std(self, out: Tensor) -> tuple[Tensor, Tensor]:
        return out[..., 0], F.softplus(out[..., 1]) + self.eps

    def loss(self, out: Tensor, y: Tensor) -> Tensor:
        mu, sigma = self.mean_std(out)
        nll = 0.5 * math.log(2 * math.pi) + torch.log(sigma) + 0.5 * ((y - mu) / sigma) ** 2
        return nll.mean()

    def point(self, out: Tensor) -> Tensor:
        return out[..., 0]

    def interval(self, out: Tensor, level: float) -> tuple[Tensor, Tensor]:
        mu, sigma = self.mean_std(out)
        z = NormalDist().inv_cdf((1.0 + level) / 2.0)
        return mu - z * sigma, mu + z * sigma


class QuantileHead(nn.Module):
    def __init__(self, quantiles: tuple[float, ...]) -> None:
        super().__init__()
        qs = tuple(sorted(float(q) for q in quantiles))
        if not qs or not all(0.0 < q < 1.0 for q in qs) or len(set(qs)) != len(qs):
            raise ValueError(f"expected distinct quantiles in (0, 1), got {quantiles}")
        if 0.5 not in qs:
            raise ValueError(
                f"expected the quantiles to include 0.5 (the point forecast), got {qs}"
            )
        self.quantiles = qs
        self.params = len(qs)
        self.location = (1.0,) * len(qs)
        self.register_buffer("q", torch.tensor(qs), persistent=False)

    def loss(self, out: Tensor, y: Tensor) -> Tensor:
        diff = y.unsqueeze(-1) - out  # (B, H, K, Q)
        return torch.maximum(self.q * diff, (self.q - 1.0) * diff).mean()

    def point(self, out: Tensor) -> Tensor:
        return out.sort(dim=-1).values[..., self.quantiles.index(0.5)]

    def interval(self, out: Tensor, level: float) -> tuple[Tensor, Tensor]:
        lo_q, hi_q = round((1.0 - level) / 2.0, 6), round((1.0 + level) / 2.0, 6)
        have = [round(q, 6) for q in self.quantiles]
        if lo_q not in have or hi_q not in have:
            raise ValueError(
                f"a {level:.0%} interval needs quantiles {lo_q} and {hi_q}; the model has {have}"
            )
        ordered = out.sort(dim=-1).values
        return ordered[..., have.index(lo_q)], ordered[..., have.index(hi_q)]


def make_head(output: str, quantiles: tuple[float, ...], loss: str = "mse") -> nn.Module:
    if loss != "mse" and output != "point":
        raise ValueError(f"loss {loss!r} needs output 'point', got {output!r}")
    if output == "point":
        return PointHead(loss)
    if output == "gaussian":
        return GaussianHead()
    if output == "quantile":
        return QuantileHead(quantiles)
    raise ValueError(f"unknown output {output!r}; expected one of {OUTPUTS}")
