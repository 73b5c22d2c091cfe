"""Diagnostics: see the gradient flow through time, and why gates help.

    flow.py        ‖∂J_T/∂s_t‖ for every t; exact Jacobian products ∏ ∂s_i/∂s_{i−1}
                   (autograd, and the NumPy engine's hand-derived Jacobians)
    spectral.py    ρ(W_hh), σ_max(W_hh) and the Elman bound (γ σ_max)^{t−k}
    saturation.py  gate saturation (a function and a Trainer callback), gate/hidden traces
    norms.py       per-layer gradient norms (per-parameter norms, exploding events and
                   the metrics reader live in rnnlab.training and are re-exported here)
    plots.py       PNGs: gradient vs distance (log y), heatmaps, norm histories
    compare.py / report.py  the Elman-LSTM-GRU experiment on delayed recall (rnnlab.tasks.recall),
                   every model trained through the one train recipe
    inspect.py     ``rnnlab diagnose gradients`` on a run directory (rebuilt through its task,
                   each layer probed with what it receives) or a config
"""

from rnnlab.diagnostics.flow import (
    FlowCurve,
    gradient_flow,
    jacobian_products,
    product_norms,
    reference_jacobian_products,
    step_jacobians,
)
from rnnlab.diagnostics.norms import layer_of, per_layer_norms
from rnnlab.diagnostics.saturation import (
    HIGH,
    LOW,
    GateSaturationCallback,
    gate_saturation,
    layer_activations,
    saturation_fractions,
)
from rnnlab.diagnostics.spectral import GAMMA, Spectrum, spectra, spectrum_of
from rnnlab.training.clipping import parameter_grad_norms
from rnnlab.training.explosion import exploding_events
from rnnlab.training.metrics import read_metrics

__all__ = [
    "GAMMA",
    "HIGH",
    "LOW",
    "FlowCurve",
    "GateSaturationCallback",
    "Spectrum",
    "exploding_events",
    "gate_saturation",
    "gradient_flow",
    "jacobian_products",
    "layer_activations",
    "layer_of",
    "parameter_grad_norms",
    "per_layer_norms",
    "product_norms",
    "read_metrics",
    "reference_jacobian_products",
    "saturation_fractions",
    "spectra",
    "spectrum_of",
    "step_jacobians",
]
