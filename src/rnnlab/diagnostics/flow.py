"""Gradient flow through time, and the Jacobian products that govern it.

For a recurrent state s_t = F(s_{t-1}, x_t) and a loss J_T at the last step,

    ∂J_T/∂s_t = ∂J_T/∂s_T · ∏_{i=t+1..T} ∂s_i/∂s_{i-1}          (Pascanu et al. 2013, eq. 5)

``gradient_flow`` measures ‖∂J_T/∂s_t‖ for every t (how much of the loss at the
end reaches each earlier step); ``jacobian_products`` measures the spectral norm
of the product ∏_{i=k+1..T} ∂s_i/∂s_{i-1} for every k, exactly, from per-step
Jacobians computed by autograd (small S only: S backward passes per step).

Both are indexed by the distance d = T − t (d = 0 is the last step). For an
Elman layer the product obeys ‖∏‖ ≤ (γ σ_max(W_hh))^d (see ``spectral.py``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn

from rnnlab.cells.state import from_state_vector, state_vector, zero_state
from rnnlab.diagnostics.layers import check_unidirectional, layer_spec, step_sequence, time_major
from rnnlab.reference import Recurrent as ReferenceRecurrent


@dataclass(frozen=True)
class FlowCurve:
    """A quantity per example at each distance d = 0 … T from the last step."""

    values: np.ndarray  # (T + 1, B); row d is distance d

    @property
    def distances(self) -> np.ndarray:
        return np.arange(self.values.shape[0])

    def mean(self) -> np.ndarray:
        """Geometric mean over the batch (norms span many decades), (T + 1,)."""
        tiny = np.finfo(np.float64).tiny
        return np.exp(np.log(np.maximum(self.values, tiny)).mean(axis=1))


def _in_float64(layer: nn.Module, x: Tensor, state: object) -> tuple[nn.Module, Tensor, object]:
    """A float64 copy of the layer, input and state: norms like 1e-60 underflow in float32."""
    if x.dtype == torch.float64 and next(layer.parameters()).dtype == torch.float64:
        return layer, x, state
    if isinstance(state, tuple):
        state = tuple(s.double() for s in state)
    elif state is not None:
        state = state.double()
    return copy.deepcopy(layer).double(), x.double(), state


def _readout(hidden_size: int, seed: int, like: Tensor) -> Tensor:
    g = torch.Generator().manual_seed(seed)
    u = torch.randn(hidden_size, generator=g, dtype=torch.float64)
    return (u / u.norm()).to(dtype=like.dtype, device=like.device)  # unit vector


def gradient_flow(
    layer: nn.Module,
    x: Tensor,
    loss_fn: Callable[[Tensor, object], Tensor] | None = None,
    state: object = None,
    seed: int = 0,
) -> FlowCurve:
    """‖∂J_T/∂s_t‖ per example for t = 0 … T, returned by distance d = T − t.

    ``x`` is the layer's input (T, B, I) (batch-first if the layer is).
    ``loss_fn(h_T, s_T)`` gives a scalar J_T that sums over examples; the
    default J_T = Σ_b ⟨u, h_T[b]⟩ with a fixed random unit vector u, so that
    ‖∂J_T/∂h_T‖ = 1 and the curve shows ‖uᵀ ∂h_T/∂s_t‖ — pure propagation.
    The state is stepped one step at a time through the layer's own forward, in float64
    (on a copy of a float32 layer) so that vanishing norms do not underflow to zero;
    a custom ``loss_fn`` must then accept float64 tensors.
    """
    check_unidirectional(layer)
    layer, x, state = _in_float64(layer, x, state)
    xt = time_major(layer, x)
    T, B = xt.shape[0], xt.shape[1]
    s = state_vector(zero_state(layer, B, xt) if state is None else state)
    s = s.detach().requires_grad_(True)
    states = [s]  # s_0 … s_T, each (B, S)
    for t in range(T):
        _, new = layer(step_sequence(layer, x, t), from_state_vector(states[-1], layer))
        states.append(state_vector(new))
    s_T = from_state_vector(states[-1], layer)  # J_T is computed from s_T, so ∂J_T/∂s_T is exact
    h_last = (s_T[0] if isinstance(s_T, tuple) else s_T)[-1]  # (B, H): top layer's h_T
    if loss_fn is None:
        J = (h_last @ _readout(h_last.shape[1], seed, h_last)).sum()
    else:
        J = loss_fn(h_last, s_T)
    grads = torch.autograd.grad(J, states, allow_unused=True)
    norms = [torch.zeros(B) if g is None else g.detach().double().norm(dim=1) for g in grads]
    return FlowCurve(torch.stack(norms[::-1]).cpu().numpy())  # row d = state s_{T-d}


def step_jacobians(layer: nn.Module, x: Tensor, state: object = None) -> np.ndarray:
    """∂s_t/∂s_{t-1} for t = 1 … T, per example, by autograd: (T, B, S, S) float64.

    Examples in a batch do not interact, so the Jacobian of Σ_b s_t[b] with
    respect to s_{t-1} holds every example's Jacobian: S backward passes a step.
    """
    check_unidirectional(layer)
    xt = time_major(layer, x)
    T, B = xt.shape[0], xt.shape[1]
    s = state_vector(zero_state(layer, B, xt) if state is None else state).detach()
    out = []
    for t in range(T):
        s_prev = s.clone().requires_grad_(True)
        _, new = layer(step_sequence(layer, x, t), from_state_vector(s_prev, layer))
        s_new = state_vector(new)  # (B, S)
        S = s_new.shape[1]
        rows = [torch.autograd.grad(s_new[:, j].sum(), s_prev, retain_graph=j < S - 1)[0]
                for j in range(S)]  # row j of every example's Jacobian, each (B, S)
        out.append(torch.stack(rows, dim=1).detach().double().cpu().numpy())  # (B, S, S)
        s = s_new.detach()
    return np.stack(out)


def product_norms(jacobians: np.ndarray) -> FlowCurve:
    """‖∏_{i=k+1..T} J_i‖₂ for every k, from per-step Jacobians (T, B, S, S), by distance T − k.

    Accumulated from the last step backwards: P_0 = I, P_d = P_{d-1} J_{T-d+1}.
    Works on Jacobians from autograd and from the NumPy engine alike.
    """
    if jacobians.ndim != 4 or jacobians.shape[2] != jacobians.shape[3]:
        raise ValueError(f"expected Jacobians of shape (T, B, S, S), got {jacobians.shape}")
    T, B, S, _ = jacobians.shape
    P = np.broadcast_to(np.eye(S), (B, S, S)).copy()
    norms = [np.ones(B)]
    for d in range(1, T + 1):
        P = P @ jacobians[T - d]  # ∂s_T/∂s_{T-d}
        norms.append(np.linalg.norm(P, ord=2, axis=(1, 2)))
    return FlowCurve(np.stack(norms))


def jacobian_products(layer: nn.Module, x: Tensor, state: object = None) -> FlowCurve:
    """‖∂s_T/∂s_{T-d}‖₂ = ‖∏ ∂s_i/∂s_{i-1}‖₂ for d = 0 … T, exactly (autograd)."""
    return product_norms(step_jacobians(layer, x, state))


def reference_jacobian_products(layer: nn.Module, x: Tensor) -> FlowCurve:
    """The same product from the NumPy engine's hand-derived step Jacobians (one-layer layers)."""
    if layer.num_layers != 1:
        raise ValueError(f"expected a one-layer layer for the NumPy engine, got "
                         f"num_layers={layer.num_layers}")
    params = {n: p.detach().double().cpu().numpy() for n, p in layer.state_dict().items()}
    ref = ReferenceRecurrent(layer_spec(layer).name, layer.input_size, layer.hidden_size, 1,
                             bias="bias_ih_l0" in params)
    ref.load_params(params)
    _, _, caches = ref.forward(time_major(layer, x).detach().double().cpu().numpy())
    return product_norms(ref.jacobians(caches, layer=0))
