"""The spectrum of W_hh, and the bound it puts on the gradient through time.

For an Elman layer h_t = f(W_ih x_t + W_hh h_{t-1} + b), one step's Jacobian is
diag(f'(a_t)) W_hh, so with γ = sup|f'| (1 for tanh and relu, 1/4 for the
sigmoid) and σ_max the largest singular value of W_hh,

    ‖∂h_t/∂h_k‖₂ ≤ (γ · σ_max(W_hh))^{t-k}                 (Pascanu et al. 2013, eq. 7)

If γ σ_max < 1 the gradient *must* vanish geometrically with the distance
(sufficient condition); ρ(W_hh) > 1/γ, with ρ the spectral radius, is necessary
for it to explode. A sigmoid Elman layer needs σ_max > 4 before long-range
gradients can even survive. LSTM and GRU have no such bound: their additive
state paths (c_t = f_t ⊙ c_{t-1} + …, h_t = z_t ⊙ h_{t-1} + …) pass gradient
scaled by gate values, not by W_hh; for them the per-gate blocks are reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from torch import nn

from rnnlab.cells.spec import CellSpec, get_cell
from rnnlab.diagnostics.layers import layer_spec, recurrent_weights

GAMMA = {"elman-tanh": 1.0, "elman-relu": 1.0, "elman-sigmoid": 0.25}  # sup |f'| per Elman cell


@dataclass(frozen=True)
class Spectrum:
    """ρ and σ_max of W_hh for one layer, and γ·σ_max where the Elman bound applies."""

    layer: int
    cell: str  # the registry name
    spectral_radius: float  # ρ(W_hh) = max |λ|  (LSTM/GRU: of the whole (G·H, H) matrix's blocks)
    sigma_max: float  # ‖W_hh‖₂
    gamma: float | None  # sup|f'|, Elman only
    blocks: dict[str, tuple[float, float]] = field(default_factory=dict)  # gate -> (ρ, σ_max)

    @property
    def bound_base(self) -> float | None:
        """γ σ_max: ‖∂h_t/∂h_k‖ ≤ bound_base^{t-k} (Elman), None for LSTM/GRU."""
        return None if self.gamma is None else self.gamma * self.sigma_max

    def bound(self, distances: np.ndarray) -> np.ndarray | None:
        base = self.bound_base
        return None if base is None else base ** np.asarray(distances, dtype=np.float64)

    def describe(self) -> str:
        if self.gamma is None:
            gates = ", ".join(f"{g}: ρ={r:.3f} σ={s:.3f}" for g, (r, s) in self.blocks.items())
            return f"layer {self.layer} ({self.cell}): W_hh blocks {gates}; no Elman bound"
        verdict = "gradient must vanish" if self.bound_base < 1 else "bound allows growth"
        return (f"layer {self.layer} ({self.cell}): ρ(W_hh)={self.spectral_radius:.3f}, "
                f"σ_max={self.sigma_max:.3f}, γ={self.gamma:g}, γσ_max={self.bound_base:.3f} "
                f"({verdict})")


def _rho_sigma(W: np.ndarray) -> tuple[float, float]:
    return float(np.abs(np.linalg.eigvals(W)).max()), float(np.linalg.norm(W, ord=2))


def spectrum_of(W_hh: np.ndarray, cell: str | CellSpec, layer: int = 0) -> Spectrum:
    """Spectrum of one layer's W_hh ((G·H, H), PyTorch layout) for the registry ``cell``."""
    spec = get_cell(cell)
    W_hh = np.asarray(W_hh, dtype=np.float64)
    if spec.name in GAMMA:
        rho, sigma = _rho_sigma(W_hh)
        return Spectrum(layer, spec.name, rho, sigma, GAMMA[spec.name])
    H = W_hh.shape[1]
    blocks = {g: _rho_sigma(W_hh[j * H : (j + 1) * H]) for j, g in enumerate(spec.gate_names)}
    return Spectrum(layer, spec.name, max(r for r, _ in blocks.values()),
                    float(np.linalg.norm(W_hh, ord=2)), None, blocks)


def spectra(layer: nn.Module) -> list[Spectrum]:
    """One ``Spectrum`` per stacked layer of an rnnlab / torch.nn recurrent layer."""
    spec = layer_spec(layer)
    return [spectrum_of(w["weight_hh"].double().cpu().numpy(), spec, k)
            for k, w in enumerate(recurrent_weights(layer))]
