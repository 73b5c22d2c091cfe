"""Gradient norms by layer, on top of the trainer's per-parameter norms.

The trainer logs the per-parameter norms (``rnnlab.training.clipping.parameter_grad_norms``)
and the global norm *before* clipping; exploding-gradient events have one definition,
``rnnlab.training.explosion.exploding_events``, and metrics.jsonl one reader,
``rnnlab.training.metrics.read_metrics``. This module groups parameter norms by layer.
"""

from __future__ import annotations

import math
import re

_LAYER_SUFFIX = re.compile(
    r"^(?P<base>.*?)(?:weight|bias)_(?:ih|hh)_l(?P<k>\d+)(?P<rev>_reverse)?$"
)


def layer_of(param_name: str) -> str:
    """The layer a parameter belongs to: "rnn.weight_hh_l1" -> "rnn.l1", "head.bias" -> "head"."""
    m = _LAYER_SUFFIX.match(param_name)
    if m:
        return f"{m['base']}l{m['k']}{m['rev'] or ''}"
    return param_name.rsplit(".", 1)[0] if "." in param_name else param_name


def per_layer_norms(param_norms: dict[str, float]) -> dict[str, float]:
    """Combine per-parameter norms into per-layer norms: sqrt(Σ ‖g_W‖²) over the layer's W."""
    sq: dict[str, float] = {}
    for name, norm in param_norms.items():
        key = layer_of(name)
        sq[key] = sq.get(key, 0.0) + float(norm) ** 2
    return {k: math.sqrt(v) for k, v in sq.items()}
