"""The hand-written BPTT equals PyTorch autograd on rnnlab's cells and layers (float64, 1e-8)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import rnnlab.reference as R

TOL = 1e-8
KINDS = list(R.CELLS)  # the registry names; test_names.py keeps them equal to rnnlab.cells


def _paired(kind):
    return R.make_cell(kind, 1, 1).state_size_factor == 2  # (h, c)


def _state_like(kind, L, B, H, rng):
    if _paired(kind):
        return rng.standard_normal((L, B, H)), rng.standard_normal((L, B, H))
    return rng.standard_normal((L, B, H))


def _to_torch(state):
    if isinstance(state, tuple):
        return tuple(torch.tensor(s, requires_grad=True) for s in state)
    return torch.tensor(state, requires_grad=True)


def _flat(state):
    return state if isinstance(state, tuple) else (state,)


def _check_recurrent(torch_layer, params, kind, I, H, L, rng):
    T, B = 6, 3
    ref = R.Recurrent(kind, I, H, L)
    ref.load_params(params)
    x = rng.standard_normal((T, B, I))
    s0 = _state_like(kind, L, B, H, rng)
    R_out = rng.standard_normal((T, B, H))  # J = Σ <R_t, out_t> + <U, s_T>
    U = _state_like(kind, L, B, H, rng)

    x_t, s0_t = torch.tensor(x, requires_grad=True), _to_torch(s0)
    out_t, sT_t = torch_layer(x_t, s0_t)
    J_t = (out_t * torch.tensor(R_out)).sum()
    for s, u in zip(_flat(sT_t), _flat(U), strict=True):
        J_t = J_t + (s * torch.tensor(u)).sum()
    J_t.backward()

    out, sT, cache = ref.forward(x, s0)
    dx, ds0, grads = ref.backward(R_out, cache, U)
    np.testing.assert_allclose(out, out_t.detach().numpy(), atol=TOL, rtol=0)
    for a, b in zip(_flat(sT), _flat(sT_t), strict=True):
        np.testing.assert_allclose(a, b.detach().numpy(), atol=TOL, rtol=0)
    np.testing.assert_allclose(dx, x_t.grad.numpy(), atol=TOL, rtol=0)
    for a, b in zip(_flat(ds0), _flat(s0_t), strict=True):
        np.testing.assert_allclose(a, b.grad.numpy(), atol=TOL, rtol=0)
    return grads


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("num_layers", [1, 2])
def test_recurrent_bptt_matches_autograd_on_rnnlab_cells(kind, num_layers, rng,
                                                         twins):
    I, H = 4, 5
    stack = twins.CellStack(kind, I, H, num_layers)
    grads = _check_recurrent(stack, stack.reference_params(), kind, I, H,
                             num_layers, rng)
    torch_grads = {f"{n}_l{k}": p.grad.numpy() for k, c in enumerate(stack.cells)
                   for n, p in c.named_parameters()}
    assert set(grads) == set(torch_grads)
    for name, g in grads.items():
        np.testing.assert_allclose(g, torch_grads[name], atol=TOL, rtol=0, err_msg=name)


@pytest.mark.parametrize("kind", KINDS)
def test_recurrent_bptt_matches_autograd_on_rnnlab_layers(kind, rng, twins):
    I, H, L = 3, 4, 2
    layer = twins.rnnlab_layer(kind, I, H, L)
    named = layer.state_dict(keep_vars=True)  # torch.nn's names: weight_ih_l0 …
    params = {n: p.detach().numpy().copy() for n, p in named.items()}
    grads = _check_recurrent(layer, params, kind, I, H, L, rng)
    for name, p in named.items():
        np.testing.assert_allclose(grads[name], p.grad.numpy(), atol=TOL, rtol=0, err_msg=name)


@pytest.mark.parametrize("kind", KINDS)
def test_cell_jacobian_matches_autograd(kind, rng, twins):
    I, H, B = 3, 4, 2
    cell_t = twins.make_torch_cell(kind, I, H)
    ref = R.make_cell(kind, I, H)
    ref.load_params({n: p.detach().numpy() for n, p in cell_t.named_parameters()})
    x = rng.standard_normal((B, I))
    paired = _paired(kind)
    s_prev = (rng.standard_normal((B, H)), rng.standard_normal((B, H))) if paired \
        else rng.standard_normal((B, H))
    _, _, cache = ref.forward(x, s_prev)
    J = ref.jacobian(cache)  # (B, S, S)
    for b in range(B):
        def step(s_flat, b=b):
            s = (s_flat[:H][None], s_flat[H:][None]) if paired else s_flat[None]
            _, new = cell_t(torch.tensor(x[b : b + 1]), s)
            return torch.cat([t[0] for t in new]) if paired else new[0]

        s_b = np.concatenate([s[b] for s in s_prev]) if paired else s_prev[b]
        J_t = torch.autograd.functional.jacobian(step, torch.tensor(s_b))
        np.testing.assert_allclose(J[b], J_t.numpy(), atol=TOL, rtol=0)


@pytest.mark.parametrize("kind", ["elman-tanh", "lstm", "gru"])
def test_bias_free_layers_match_torch_nn(kind, rng):
    cls = {"elman-tanh": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
    layer = cls(3, 4, num_layers=2, bias=False, dtype=torch.float64)
    ref = R.Recurrent(kind, 3, 4, 2, bias=False)
    ref.load_params({n: p.detach().numpy() for n, p in layer.named_parameters()})
    x = rng.standard_normal((5, 2, 3))
    x_t = torch.tensor(x, requires_grad=True)
    out_t, _ = layer(x_t)
    R_out = rng.standard_normal(out_t.shape)
    (out_t * torch.tensor(R_out)).sum().backward()
    out, _, cache = ref.forward(x)
    dx, _, grads = ref.backward(R_out, cache)
    np.testing.assert_allclose(out, out_t.detach().numpy(), atol=TOL, rtol=0)
    np.testing.assert_allclose(dx, x_t.grad.numpy(), atol=TOL, rtol=0)
    assert set(grads) == {n for n, _ in layer.named_parameters()}
    for name, p in layer.named_parameters():
        np.testing.assert_allclose(grads[name], p.grad.numpy(), atol=TOL, rtol=0, err_msg=name)
