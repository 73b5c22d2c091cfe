"""See the gradient: why the LSTM remembers across 40 steps and the Elman network does not.

1. Two fresh layers of the same size, Elman (tanh) and LSTM: the exact norm of the
   Jacobian product ‖∂s_T/∂s_{T−d}‖ against the distance d, from autograd and from
   the NumPy engine's hand-derived Jacobians (they agree), with the Elman bound
   (γ σ_max)^d of Pascanu et al. (2013).
2. Train each on delayed recall (remember a symbol across 40 distractors) through
   rnnlab's one train recipe (task "recall"), logging gate saturation through a callback.
3. Diagnose the two run directories as ``rnnlab diagnose gradients RUN_DIR`` would.

    python examples/gradient_flow.py            # ~1-2 minutes on 2 CPU cores
    python examples/gradient_flow.py --steps 50 # a quicker look
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from rnnlab.diagnostics import (
    GateSaturationCallback,
    jacobian_products,
    read_metrics,
    reference_jacobian_products,
    spectra,
)
from rnnlab.diagnostics.inspect import diagnose_gradients
from rnnlab.diagnostics.plots import plot_gradient_vs_distance
from rnnlab.layers import Recurrent
from rnnlab.tasks import train
from rnnlab.tasks.recall import recall_batch

DISTANCE = 40


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/example-gradient-flow"))
    parser.add_argument("--steps", type=int, default=400)
    args = parser.parse_args()
    torch.set_num_threads(1)

    # 1. the Jacobian product at initialisation, both engines
    x, _ = recall_batch(DISTANCE, 8, torch.Generator().manual_seed(0))
    curves, bounds = {}, {}
    for cell in ("elman-tanh", "lstm"):
        torch.manual_seed(0)
        gated = cell != "elman-tanh"  # the forget-gate bias: σ(3) ≈ 0.95 of c kept a step
        layer = Recurrent(cell, 17, 32, forget_bias=3.0 if gated else None)  # K + M + 1 inputs
        exact = jacobian_products(layer, x).mean()  # autograd
        numpy_engine = reference_jacobian_products(layer, x).mean()  # hand-derived
        print(f"{cell}: max relative difference autograd vs NumPy engine "
              f"{np.max(np.abs(exact - numpy_engine) / exact):.1e}")
        curves[cell] = exact
        spec = spectra(layer)[0]
        print("  " + spec.describe())
        if spec.bound_base is not None:
            bounds[cell] = spec.bound(np.arange(DISTANCE + 2))
    png = plot_gradient_vs_distance(curves, args.out / "jacobian_products_init.png",
                                    "‖∂s_T/∂s_{T−d}‖₂ at initialisation", bounds=bounds)
    print(f"picture: {png}")

    # 2. train both through the one recipe, gate saturation logged by a callback
    for cell in ("elman-tanh", "lstm"):
        config = {
            "task": {"kind": "recall"},
            "recall": {"distance": DISTANCE, "batches_per_epoch": args.steps},
            "model": {"cell": cell, "hidden_size": 32,
                      **({"forget_bias": 3.0} if cell == "lstm" else {})},
            "train": {"epochs": 1, "lr": 3e-3, "clip_norm": 1.0, "log_every": 25, "seed": 0},
        }
        run_dir = args.out / cell
        train(config, run_dir, callbacks=[GateSaturationCallback(every=50)], replace=True)
        records = [r for r in read_metrics(run_dir / "metrics.jsonl") if "accuracy" in r]
        tail = records[-20:]
        print(f"{cell}: training accuracy over the last {len(tail)} batches "
              f"{np.mean([r['accuracy'] for r in tail]):.2f} (chance 0.125)")
        # 3. the diagnostics of the trained run
        report = diagnose_gradients(run_dir, length=DISTANCE + 1, batch_size=8)
        print(f"  diagnostics: {report}")


if __name__ == "__main__":
    main()
