"""``ForecastEnsemble``: the mean forecast of k trained forecasters.

For members j = 1 … k reading the same windows (x (B, L, F), known (B, H, C)):

    ŷ  = (1/k) Σ_j ŷ^(j)        point forecast                          (B, H, K)
    lo = (1/k) Σ_j lo^(j)       interval bounds: each bound is a quantile,
    hi = (1/k) Σ_j hi^(j)       and the members' quantiles are averaged
                                ("Vincentization"; Lichtendahl, Grushka-Cockayne
                                & Winkler 2013)

Members trained from different seeds (or with different cells) make partly
independent errors, so their mean has a lower variance than any one of them;
docs/benchmarks.md measures the gain on A001. The ensemble only forecasts: each
member is trained, checkpointed and resumed on its own.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from rnnlab.models.forecaster import Forecaster, ForecasterConfig, ForecastShape

# what every member must share so that one set of windows feeds them all
SHARED = ("shape", "output")


class ForecastEnsemble(nn.Module):
    """The mean of ``members``' forecasts; ``config`` is the first member's."""

    def __init__(self, members: Sequence[Forecaster]) -> None:
        super().__init__()
        members = list(members)
        if not members:
            raise ValueError("expected at least one member forecaster, got none")
        for j, member in enumerate(members):
            if not isinstance(member, Forecaster):
                raise TypeError(f"member {j}: expected a Forecaster, got {type(member).__name__}")
            for name in SHARED:
                a, b = _shared(members[0], name), _shared(member, name)
                if a != b:
                    raise ValueError(
                        f"member {j}: expected {name} = {a!r} like member 0, got {b!r}"
                    )
        self.members = nn.ModuleList(members)

    @property
    def shape(self) -> ForecastShape:
        return self.members[0].shape

    @property
    def config(self) -> ForecasterConfig:
        return self.members[0].config

    def __len__(self) -> int:
        return len(self.members)

    def forward(self, x: Tensor, known: Tensor) -> Tensor:
        """The mean point forecast (B, H, K)."""
        return self.predict(x, known)

    @torch.no_grad()
    def predict(self, x: Tensor, known: Tensor, level: float | None = None):
        """Mean point forecast (B, H, K); with ``level`` also the mean bounds (lo, hi)."""
        outs = [member.predict(x, known, level) for member in self.members]
        if level is None:
            return torch.stack(outs).mean(0)  # (k, B, H, K) -> (B, H, K)
        return tuple(torch.stack(parts).mean(0) for parts in zip(*outs, strict=True))


def _shared(member: Forecaster, name: str) -> object:
    return member.shape if name == "shape" else getattr(member.config, name)
