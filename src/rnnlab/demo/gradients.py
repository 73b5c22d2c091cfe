"""The demo's gradient-flow section: how far back the gradient reaches in each cell.

Four freshly initialised layers of the same size (Elman tanh, Elman sigmoid,
LSTM, GRU; PyTorch's default init, forget/update bias 1) read the same random
sequence; for each, the exact Jacobian products ‖∂s_T/∂s_{T−d}‖₂ come from the
NumPy engine's hand-derived step Jacobians, drawn against the distance d with
the Elman bound (γ σ_max)^d. One PNG, a few seconds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from rnnlab.cells.spec import get_cell
from rnnlab.diagnostics import plots
from rnnlab.diagnostics.flow import reference_jacobian_products
from rnnlab.diagnostics.spectral import spectra
from rnnlab.layers import Recurrent

CELLS = ("elman-tanh", "elman-sigmoid", "lstm", "gru")


def section(run_dir: Path, quick: bool) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    T, B, I, H = (30, 4, 8, 16) if quick else (80, 8, 16, 32)
    torch.manual_seed(0)
    x = torch.randn(T, B, I)
    curves, bounds = {}, {}
    print(f"Gradient flow through time at initialisation (H = {H}, T = {T}):")
    print("  the share of ∂J/∂s_T that survives d steps back, ‖∂s_T/∂s_{T−d}‖₂ (NumPy engine)")
    for cell in CELLS:
        gated = get_cell(cell).forget_gate is not None  # LSTM f, GRU z: bias 1 (Jozefowicz)
        layer = Recurrent(cell, I, H, forget_bias=1.0 if gated else None)
        curve = reference_jacobian_products(layer, x).mean()
        curves[cell] = curve
        spec = spectra(layer)[0]
        if spec.bound_base is not None:
            bounds[cell] = spec.bound(np.arange(T + 1))
        at = {d: curve[d] for d in (10, T) if d <= T}
        print(f"  {cell:13s} " + "   ".join(f"d={d}: {v:.1e}" for d, v in at.items())
              + (f"   (bound base γσ_max = {spec.bound_base:.2f})" if spec.bound_base else ""))
    path = plots.plot_gradient_vs_distance(
        curves, run_dir / "jacobian_products.png",
        f"{plots.JACOBIAN} at init: the gradient fades in Elman networks",
        ylabel=plots.JACOBIAN_D, bounds=bounds)
    print(f"  picture: {path}")
    print("  the full experiment (training, accuracy vs distance): rnnlab diagnose compare")
