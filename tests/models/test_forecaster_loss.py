"""The point head's training loss: MSE (default), L1 and Huber, checked by hand and on a fit."""

from __future__ import annotations

import pytest
import torch

from rnnlab.models.forecast_heads import PointHead, make_head
from rnnlab.models.forecaster import Forecaster, ForecasterConfig, ForecastShape

B, L, F, C, K, H = 3, 10, 5, 2, 2, 6


def config(**kw) -> tuple[ForecasterConfig, ForecastShape]:
    """(model config, shape) for ``Forecaster(*config(...))``; size keywords go to the shape."""
    sizes = dict(input_size=F, known_size=C, num_targets=K, horizon=H)
    sizes.update({k: kw.pop(k) for k in list(kw) if k in sizes})
    return ForecasterConfig(**{"hidden_size": 8, **kw}), ForecastShape(**sizes)


def test_point_losses_by_hand():
    out = torch.tensor([0.0, 0.5, 3.0]).view(1, 3, 1, 1)  # (B, H, K, P)
    y = torch.zeros(1, 3, 1)  # errors e = 0, 0.5, 3
    assert PointHead().loss(out, y).item() == pytest.approx((0.25 + 9.0) / 3)
    assert PointHead("mse").loss(out, y).item() == pytest.approx((0.25 + 9.0) / 3)
    assert PointHead("l1").loss(out, y).item() == pytest.approx(3.5 / 3)
    # Huber, δ = 1: ½e² inside, δ(|e| − ½δ) outside
    assert PointHead("huber").loss(out, y).item() == pytest.approx((0.125 + 2.5) / 3)


def test_default_is_mse_and_the_model_uses_its_loss():
    assert ForecasterConfig().loss == "mse"
    torch.manual_seed(0)
    a = Forecaster(*config())
    b = Forecaster(*config(loss="l1"))
    b.load_state_dict(a.state_dict())
    g = torch.Generator().manual_seed(1)
    x, known, y = (
        torch.randn(B, L, F, generator=g),
        torch.randn(B, H, C, generator=g),
        torch.randn(B, H, K, generator=g),
    )
    pred = a.predict(x, known)
    assert torch.allclose(a.loss(x, known, y), ((pred - y) ** 2).mean(), atol=1e-6)
    assert torch.allclose(b.loss(x, known, y), (pred - y).abs().mean(), atol=1e-6)
    c = Forecaster(*config(loss="huber", strategy="seq2seq"))  # seq2seq takes it too
    c.loss(x, known, y).backward()


def test_l1_fits_the_median_and_mse_the_mean():
    """A constant forecast of a skewed target: L1 converges to the median, MSE to the mean."""
    y = torch.tensor([0.0, 0.0, 0.0, 1.0, 10.0]).view(5, 1, 1)  # median 0, mean 2.2
    for kind, expected in (("l1", 0.0), ("mse", 2.2)):
        w = torch.zeros(1, 1, 1, 1, requires_grad=True)
        opt = torch.optim.SGD([w], lr=0.05)
        for _ in range(2000):
            opt.zero_grad()
            PointHead(kind).loss(w.expand(5, 1, 1, 1), y).backward()
            opt.step()
        assert w.item() == pytest.approx(expected, abs=0.06), kind


def test_loss_errors():
    with pytest.raises(ValueError, match="unknown point loss 'mae'"):
        PointHead("mae")
    with pytest.raises(ValueError, match="unknown point loss 'mae'"):
        config(loss="mae")  # at the config, before any model is built
    with pytest.raises(ValueError, match="loss 'l1' needs output 'point'"):
        make_head("gaussian", (0.5,), "l1")
    with pytest.raises(ValueError, match="loss 'l1' needs output 'point' and strategy"):
        config(loss="l1", output="quantile")
    with pytest.raises(ValueError, match="got output 'point' with strategy 'recursive'"):
        config(loss="huber", strategy="recursive")
