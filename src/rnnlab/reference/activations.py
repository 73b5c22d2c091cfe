"""Element-wise nonlinearities and their derivatives, written the way BPTT uses them.

Backpropagation needs f'(a) at the pre-activation a. For the squashing
functions the derivative is cheapest from the *output* y = f(a), which the
forward pass already stored:

    σ(a)    = 1 / (1 + e^{-a})          σ'(a)    = y (1 - y)      ≤ 1/4
    tanh(a)                             tanh'(a) = 1 - y²         ≤ 1
    relu(a) = max(a, 0)                 relu'(a) = [y > 0]        ≤ 1

The bound γ = sup |f'| is the factor in Pascanu et al. (2013, eq. 7):
‖∂h_t/∂h_k‖ ≤ (γ σ_max(W_hh))^{t-k} for an Elman network.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


def sigmoid(a: np.ndarray) -> np.ndarray:
    """σ(a) = 1 / (1 + e^{-a}), computed without overflow for large |a|."""
    out = np.empty_like(a)
    pos = a >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-a[pos]))
    e = np.exp(a[~pos])
    out[~pos] = e / (1.0 + e)
    return out


def tanh(a: np.ndarray) -> np.ndarray:
    return np.tanh(a)


def relu(a: np.ndarray) -> np.ndarray:
    return np.maximum(a, 0.0)


def softmax(z: np.ndarray) -> np.ndarray:
    """ŷ = softmax(z) over the last axis, shifted by max(z) so exp never overflows."""
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class Activation:
    """A nonlinearity f, its derivative written in terms of its output y = f(a), and γ = sup|f'|."""

    name: str
    f: Callable[[np.ndarray], np.ndarray]
    df_from_output: Callable[[np.ndarray], np.ndarray]  # y -> f'(a)
    gamma: float  # sup_a |f'(a)|


ACTIVATIONS: dict[str, Activation] = {
    "tanh": Activation("tanh", tanh, lambda y: 1.0 - y * y, 1.0),
    "sigmoid": Activation("sigmoid", sigmoid, lambda y: y * (1.0 - y), 0.25),
    "relu": Activation("relu", relu, lambda y: (y > 0).astype(y.dtype), 1.0),
}


def get_activation(name: str) -> Activation:
    """The activation called ``name``, with a clear error for an unknown one."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"expected nonlinearity in {sorted(ACTIVATIONS)}, got {name!r}"
        ) from None
