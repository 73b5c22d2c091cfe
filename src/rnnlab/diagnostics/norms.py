"""Gradient norms during training: per parameter, per layer, and exploding-gradient events.

The trainer logs the per-parameter norms and the global norm *before*
clipping (the number clipping acts on). This module groups them by layer and
finds exploding-gradient events in a series of global norms:

    step i is an event when ‖g_i‖ is not finite, or when
    ‖g_i‖ > factor · median(‖g_{i−w}‖ … ‖g_{i−1}‖)      (defaults: factor 10, window w = 20)

i.e. a jump of an order of magnitude over the recent typical norm (Pascanu et
al. 2013 describe these as the "walls" of the loss surface that clipping is for).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from torch import nn

_LAYER_SUFFIX = re.compile(
    r"^(?P<base>.*?)(?:weight|bias)_(?:ih|hh)_l(?P<k>\d+)(?P<rev>_reverse)?$"
)


def grad_norms(model: nn.Module) -> dict[str, float]:
    """‖∂J/∂W‖₂ for every parameter that has a gradient (call after ``backward``)."""
    return {name: p.grad.detach().norm().item() for name, p in model.named_parameters()
            if p.grad is not None}


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


def exploding_events(norms: Sequence[float], factor: float = 10.0, window: int = 20,
                     min_history: int = 5) -> list[int]:
    """Indices i where the norm is non-finite or > factor × median of the previous ``window``."""
    if factor <= 1 or window < 1:
        raise ValueError(f"expected factor > 1 and window >= 1, got {factor}, {window}")
    events = []
    for i, n in enumerate(norms):
        if not math.isfinite(n):
            events.append(i)
            continue
        history = [v for v in norms[max(0, i - window) : i] if math.isfinite(v)]
        if len(history) >= min_history and n > factor * _median(history):
            events.append(i)
    return events


def _median(values: list[float]) -> float:
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else 0.5 * (s[mid - 1] + s[mid])


def read_metrics(path: str | Path) -> list[dict[str, Any]]:
    """The records of a metrics.jsonl file (one JSON object a line), with clear errors."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"metrics file not found: {path}")
    records = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise ValueError(f"{path}:{n}: expected one JSON object a line: {err}") from None
        if not isinstance(record, dict):
            raise ValueError(f"{path}:{n}: expected a JSON object, got {type(record).__name__}")
        records.append(record)
    return records
