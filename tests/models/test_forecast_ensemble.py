"""ForecastEnsemble: the mean of its members' points and interval bounds, config checks."""

from __future__ import annotations

import pytest
import torch

from rnnlab.models.forecast_ensemble import ForecastEnsemble
from rnnlab.models.forecaster import Forecaster, ForecasterConfig, ForecastShape

B, L, F, C, K, H = 4, 10, 5, 2, 2, 6


def member(seed: int, **kw) -> Forecaster:
    torch.manual_seed(seed)
    sizes = dict(input_size=F, known_size=C, num_targets=K, horizon=H)
    sizes.update({k: kw.pop(k) for k in list(kw) if k in sizes})
    return Forecaster(ForecasterConfig(**{"hidden_size": 8, **kw}), ForecastShape(**sizes)).eval()


def inputs():
    g = torch.Generator().manual_seed(3)
    return torch.randn(B, L, F, generator=g), torch.randn(B, H, C, generator=g)


def test_point_forecast_is_the_mean_of_the_members_even_across_cells():
    members = [member(0, cell="lstm"), member(1, cell="gru"), member(2, cell="elman-tanh")]
    x, known = inputs()
    each = [m.predict(x, known) for m in members]  # (B, H, K) each
    mean = ForecastEnsemble(members).predict(x, known)
    assert mean.shape == (B, H, K)
    torch.testing.assert_close(mean, (each[0] + each[1] + each[2]) / 3)
    assert not torch.allclose(each[0], each[1])  # the members do differ


def test_interval_bounds_are_the_mean_of_the_members_bounds():
    members = [member(s, output="quantile", quantiles=(0.05, 0.5, 0.95)) for s in range(3)]
    x, known = inputs()
    point, lo, hi = ForecastEnsemble(members).predict(x, known, level=0.9)
    parts = [m.predict(x, known, 0.9) for m in members]
    for i, got in enumerate((point, lo, hi)):
        torch.testing.assert_close(got, torch.stack([p[i] for p in parts]).mean(0))
    assert (lo <= point).all() and (point <= hi).all()  # ordered members keep the order


def test_one_member_is_that_member_and_the_config_is_the_first_members():
    only = member(0)
    x, known = inputs()
    ensemble = ForecastEnsemble([only])
    torch.testing.assert_close(ensemble(x, known), only.predict(x, known))
    assert ensemble.config is only.config and len(ensemble) == 1


def test_members_that_cannot_share_windows_are_refused():
    with pytest.raises(ValueError, match="at least one member"):
        ForecastEnsemble([])
    with pytest.raises(ValueError, match="member 1: expected shape = .*horizon=6"):
        ForecastEnsemble([member(0), member(1, horizon=3)])
    with pytest.raises(ValueError, match="member 1: expected output = 'point'"):
        ForecastEnsemble([member(0), member(1, output="gaussian")])
    with pytest.raises(TypeError, match="member 0: expected a Forecaster, got Linear"):
        ForecastEnsemble([torch.nn.Linear(2, 2)])
