"""Gradient flow and Jacobian products: autograd vs the NumPy engine, the Elman bound."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import rnnlab
from rnnlab.diagnostics import (
    gradient_flow,
    jacobian_products,
    product_norms,
    reference_jacobian_products,
    spectra,
    step_jacobians,
)

CELLS = ["elman-tanh", "elman-relu", "elman-sigmoid", "lstm", "gru"]


def _layer(cell: str, I: int = 3, H: int = 4, L: int = 1, **kw) -> torch.nn.Module:
    kw.setdefault("dtype", torch.float64)
    return rnnlab.Recurrent(cell, I, H, L, **kw)


@pytest.mark.parametrize("cell", CELLS)
def test_exact_jacobian_products_agree_between_autograd_and_numpy_engine(cell):
    layer = _layer(cell)
    x = torch.randn(7, 2, 3, dtype=torch.float64)
    exact = jacobian_products(layer, x)
    numpy_engine = reference_jacobian_products(layer, x)
    assert exact.values.shape == (8, 2)
    np.testing.assert_allclose(exact.values, numpy_engine.values, rtol=1e-8, atol=1e-14)


@pytest.mark.parametrize("cell", CELLS)
def test_gradient_flow_equals_readout_times_jacobian_product(cell):
    layer = _layer(cell)
    x = torch.randn(6, 3, 3, dtype=torch.float64)
    flow = gradient_flow(layer, x, seed=5)
    J = step_jacobians(layer, x)  # (T, B, S, S)
    g = torch.Generator().manual_seed(5)
    u = torch.randn(4, generator=g, dtype=torch.float64)
    u = (u / u.norm()).numpy()
    S = J.shape[-1]
    grad = np.zeros((3, S))
    grad[:, :4] = u  # ∂J_T/∂s_T: u on h_T, zero on c_T
    expected = [np.linalg.norm(grad, axis=1)]
    for d in range(1, 7):
        grad = np.einsum("bs,bst->bt", grad, J[6 - d])  # ∂J_T/∂s_{T-d}
        expected.append(np.linalg.norm(grad, axis=1))
    np.testing.assert_allclose(flow.values, np.stack(expected), rtol=1e-8, atol=1e-14)
    np.testing.assert_allclose(flow.values[0], 1.0)  # ‖u‖ at the last step


@pytest.mark.parametrize("cell", ["elman-tanh", "elman-sigmoid"])
@pytest.mark.parametrize("scale", [0.5, 3.0])
def test_elman_products_respect_the_pascanu_bound(cell, scale):
    layer = _layer(cell, H=6)
    with torch.no_grad():
        layer.weight_hh_l0.mul_(scale)
    x = torch.randn(12, 4, 3, dtype=torch.float64)
    products = jacobian_products(layer, x).values  # (T + 1, B)
    bound = spectra(layer)[0].bound(np.arange(13))
    assert np.all(products <= bound[:, None] * (1 + 1e-9))
    if cell == "elman-sigmoid" and scale == 0.5:
        assert products[-1].max() < 1e-6  # γσ_max < 1: it must vanish


def test_product_norms_of_a_known_chain():
    J = np.broadcast_to(0.5 * np.eye(3), (5, 2, 3, 3))
    np.testing.assert_allclose(product_norms(J).values[:, 0], 0.5 ** np.arange(6))
    np.testing.assert_allclose(product_norms(J).mean(), 0.5 ** np.arange(6))
    with pytest.raises(ValueError, match="expected Jacobians of shape"):
        product_norms(np.zeros((5, 3, 3)))


def test_flow_handles_stacks_batch_first_and_float32():
    layer = _layer("lstm", L=2, batch_first=True, dtype=torch.float32)
    x = torch.randn(2, 5, 3)  # (B, T, I)
    flow = gradient_flow(layer, x)
    assert flow.values.shape == (6, 2) and np.all(np.isfinite(flow.values))
    assert jacobian_products(layer, x).values.shape == (6, 2)  # S = 2 · L · H = 16


def test_bidirectional_and_unknown_layers_are_refused():
    with pytest.raises(ValueError, match="expected a unidirectional layer"):
        gradient_flow(_layer("gru", bidirectional=True), torch.randn(3, 1, 3, dtype=torch.float64))
    with pytest.raises(TypeError, match="expected an rnnlab layer of a registered cell or a "
                                        "torch.nn RNN/LSTM/GRU layer, got Linear"):
        gradient_flow(torch.nn.Linear(3, 3), torch.randn(3, 1, 3))
    with pytest.raises(ValueError, match="expected a one-layer layer"):
        reference_jacobian_products(_layer("elman-tanh", L=2),
                                    torch.randn(3, 1, 3, dtype=torch.float64))


def test_torch_nn_layers_work_too():
    layer = torch.nn.LSTM(3, 4).double()
    x = torch.randn(5, 2, 3, dtype=torch.float64)
    np.testing.assert_allclose(jacobian_products(layer, x).values,
                               reference_jacobian_products(layer, x).values, rtol=1e-8)
