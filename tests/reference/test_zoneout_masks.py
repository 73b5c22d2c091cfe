"""Zoneout in training: the NumPy reference, fed the layer's own masks, equals the layer
(explicit and sequence backends) in value and in every gradient (float64, 1e-8)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import rnnlab.reference as R
from rnnlab.layers import Recurrent


@pytest.mark.parametrize("backend", ["explicit", "sequence"])
@pytest.mark.parametrize("kind", ["zoneout-lstm", "zoneout-gru"])
def test_reference_with_the_layers_masks(kind, backend, rng):
    T, B, I, H, L = 5, 3, 2, 4, 2
    layer = Recurrent(kind, I, H, L, backend=backend, dtype=torch.float64)  # training mode
    masks = [tuple(torch.from_numpy((rng.random((T, B, H)) < z).astype(np.float64))
                   for z in layer.spec.zoneout_rates) for _ in range(L)]
    layer.forward_noise = lambda *args: [{"zoneout_mask": m} for m in masks]
    ref = R.Recurrent(kind, I, H, L)
    ref.load_params({n: p.detach().numpy().copy() for n, p in layer.state_dict().items()})

    x = rng.standard_normal((T, B, I))
    R_out = rng.standard_normal((T, B, H))
    x_t = torch.tensor(x, requires_grad=True)
    out_t, _ = layer(x_t)
    (out_t * torch.tensor(R_out)).sum().backward()

    out, _, cache = ref.forward(x, masks=[tuple(m.numpy() for m in ms) for ms in masks])
    dx, _, grads = ref.backward(R_out, cache)
    np.testing.assert_allclose(out, out_t.detach().numpy(), atol=1e-8, rtol=0)
    np.testing.assert_allclose(dx, x_t.grad.numpy(), atol=1e-8, rtol=0)
    for name, p in layer.state_dict(keep_vars=True).items():
        np.testing.assert_allclose(grads[name], p.grad.numpy(), atol=1e-8, rtol=0, err_msg=name)
    layer.eval()  # evaluation: the rates, deterministic, and the reference without masks agrees
    out_eval, _, _ = ref.forward(x)
    del layer.forward_noise
    np.testing.assert_allclose(out_eval, layer(torch.tensor(x))[0].detach().numpy(), atol=1e-8)
