"""Per-window normalisation (models/forecast_norm.py): every mode is inverted exactly on the
forecast (a level shift of the inputs moves the forecast by that shift), RevIN also scales,
and each mode computes what its docstring says."""

from __future__ import annotations

import pytest
import torch

from rnnlab.models.forecast_norm import FEEDBACK_SAFE, NORMALIZE, normalise_window
from rnnlab.models.forecaster import Forecaster, ForecasterConfig, ForecastShape

B, L, F, C, K, H, M = 4, 12, 5, 2, 2, 6, 4  # M: seasonal period (anomaly)
D = F - C  # dynamic columns


def model(**kw) -> Forecaster:
    shape = ForecastShape(input_size=F, known_size=C, num_targets=K, horizon=H, season=M)
    return Forecaster(ForecasterConfig(hidden_size=8, **kw), shape).eval()


def batch():
    g = torch.Generator().manual_seed(3)
    return torch.randn(B, L, F, generator=g), torch.randn(B, H, C, generator=g)


CASES = [
    (mode, strategy, output)
    for mode in NORMALIZE[1:]
    for strategy, output in [("direct", "point"), ("seq2seq", "quantile"), ("direct", "gaussian"),
                             ("recursive", "point")]
    if not (mode == "revin" and output == "gaussian")
    and not (strategy == "recursive" and mode not in FEEDBACK_SAFE)
]


@pytest.mark.parametrize("mode,strategy,output", CASES)
def test_a_constant_offset_on_every_input_shifts_the_forecast_by_exactly_that_offset(
    mode, strategy, output
):
    m = model(normalize=mode, strategy=strategy, output=output)
    x, known = batch()
    offset = torch.tensor([7.0, -3.0, 50.0])  # one constant per non-calendar column
    shifted = x.clone()
    shifted[..., :D] += offset
    with torch.no_grad():
        level = None if output == "point" else 0.9
        a, b = m.predict(x, known, level), m.predict(shifted, known, level)
    a, b = (a,) if level is None else a, (b,) if level is None else b
    for before, after in zip(a, b, strict=True):  # point (and lo, hi)
        torch.testing.assert_close(after, before + offset[:K], atol=2e-4, rtol=0)
    assert not torch.allclose(a[0], a[0] + 1.0)  # the forecast is not trivially constant


def test_without_normalisation_the_offset_is_not_followed():
    m = model()
    x, known = batch()
    shifted = x.clone()
    shifted[..., :D] += 7.0
    with torch.no_grad():
        gap = (m.predict(shifted, known) - m.predict(x, known) - 7.0).abs().max()
    assert gap > 1.0


@pytest.mark.parametrize("strategy,output", [("direct", "point"), ("seq2seq", "quantile")])
def test_revin_is_also_scale_equivariant(strategy, output):
    m = model(normalize="revin", strategy=strategy, output=output)
    x, known = batch()
    a, c = 2.5, torch.tensor([1.0, -4.0, 0.5])
    moved = x.clone()
    moved[..., :D] = a * x[..., :D] + c
    with torch.no_grad():
        torch.testing.assert_close(
            m.predict(moved, known), a * m.predict(x, known) + c[:K], atol=2e-4, rtol=0
        )


def test_each_mode_computes_what_it_says():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(B, L, F, generator=g)
    calendar = x[..., D:]
    d = x[..., :D]
    xn, lvl = normalise_window(x, "last", D, K, H)
    torch.testing.assert_close(xn[..., :D], d - d[:, -1:])
    torch.testing.assert_close(lvl.shift, d[:, -1:, :K])
    xn, lvl = normalise_window(x, "mean", D, K, H)
    torch.testing.assert_close(xn[..., :D].mean(1), torch.zeros(B, D), atol=1e-6, rtol=0)
    xn, lvl = normalise_window(x, "revin", D, K, H)
    torch.testing.assert_close(xn[..., :D].std(1, unbiased=False), torch.ones(B, D), atol=1e-4,
                               rtol=0)
    torch.testing.assert_close(lvl.scale, d.std(1, unbiased=False, keepdim=True)[..., :K],
                               atol=1e-4, rtol=0)
    xn, lvl = normalise_window(x, "diff", D, K, H)
    torch.testing.assert_close(xn[:, 1:, :D], d[:, 1:] - d[:, :-1])
    assert (xn[:, 0, :D] == 0).all()
    for mode in NORMALIZE:
        torch.testing.assert_close(normalise_window(x, mode, D, K, H, M)[0][..., D:], calendar)


def test_anomaly_removes_the_window_daily_profile_and_continues_it():
    """A window that repeats one profile p every m steps reads as zeros, and the level added
    back at step h is p at the phase of t + h."""
    m, Lw = 4, 10  # 2 whole seasons (rows 2..9); rows 0, 1 share their phases
    p = torch.tensor([1.0, 5.0, -2.0, 0.5])
    tau = torch.arange(Lw)
    phase = (tau - (Lw - 2 * m)) % m
    x = p[phase].view(1, Lw, 1).repeat(1, 1, 2)  # two dynamic columns, no calendar
    xn, lvl = normalise_window(x, "anomaly", 2, 1, 6, m)
    torch.testing.assert_close(xn, torch.zeros_like(xn))
    t_phase = (torch.arange(6) + Lw - (Lw - 2 * m)) % m  # rows Lw .. Lw + 5
    torch.testing.assert_close(lvl.shift[0, :, 0], p[t_phase])
    with pytest.raises(ValueError, match="seasonal period 1 <= m <= lookback 10, got 24"):
        normalise_window(x, "anomaly", 2, 1, 6, 24)


def test_config_errors():
    with pytest.raises(ValueError, match="unknown normalize 'z'"):
        ForecasterConfig(normalize="z")
    with pytest.raises(ValueError, match="rescales the outputs"):
        ForecasterConfig(normalize="revin", output="gaussian")
    with pytest.raises(ValueError, match="normalize must be one of"):
        ForecasterConfig(normalize="diff", strategy="recursive")
