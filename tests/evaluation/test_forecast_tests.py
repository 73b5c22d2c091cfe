"""Diebold–Mariano test: hand computation on a tiny series, sign convention, identical and
much better forecasts, the HAC variance, the Student-t tail, and clear errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnnlab.evaluation.forecast_tests import (
    compare_forecasts,
    diebold_mariano,
    forecast_losses,
    incomplete_beta,
    newey_west_variance,
    student_t_cdf,
)


def test_newey_west_by_hand():
    d = np.array([1.0, 3.0, 2.0, 6.0])  # d̄ = 3, e = (−2, 0, −1, 3)
    # γ0 = 14/4, γ1 = (0·−2 + −1·0 + 3·−1)/4 = −3/4, γ2 = (−1·−2 + 3·0)/4 = 2/4
    assert newey_west_variance(d, 0) == pytest.approx(3.5)
    assert newey_west_variance(d, 1) == pytest.approx(3.5 + 2 * (1 / 2) * (-0.75))
    assert newey_west_variance(d, 2) == pytest.approx(3.5 + 2 * (2 / 3) * -0.75 + 2 * (1 / 3) * 0.5)


def test_dm_by_hand_on_a_tiny_series():
    a = np.array([2.0, 4.0, 3.0, 7.0, 1.0, 2.0])
    b = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    d = a - b  # (1, 3, 2, 6, 0, 1): d̄ = 13/6
    T, h, q = 6, 2, 1
    e = d - d.mean()
    V = (e @ e) / T + 2 * 0.5 * (e[1:] @ e[:-1]) / T
    dm = d.mean() / math.sqrt(V / T)
    dm_star = dm * math.sqrt((T + 1 - 2 * h + h * (h - 1) / T) / T)
    r = diebold_mariano(a, b, lag=q, horizon=h)
    assert r.statistic == pytest.approx(dm_star)
    assert r.mean_diff == pytest.approx(13 / 6) and r.n == 6 and r.lag == 1 and r.horizon == 2
    # two-sided p from the t distribution with T − 1 = 5 degrees of freedom
    assert r.p_value == pytest.approx(2 * (1 - student_t_cdf(abs(dm_star), 5)))
    assert r.p_less == pytest.approx(student_t_cdf(dm_star, 5))


def test_sign_convention_and_symmetry():
    rng = np.random.default_rng(0)
    b = rng.exponential(1.0, 500)
    a = b * 0.8 + rng.exponential(0.05, 500)  # A has the lower loss
    ab, ba = diebold_mariano(a, b, lag=5), diebold_mariano(b, a, lag=5)
    assert ab.statistic < 0 and ab.mean_diff < 0 and ab.p_less < 0.01
    assert ba.statistic == pytest.approx(-ab.statistic) and ba.p_value == pytest.approx(ab.p_value)
    assert ba.p_less == pytest.approx(1 - ab.p_less)


def test_identical_forecasts_give_zero_and_p_one():
    rng = np.random.default_rng(1)
    actual = rng.normal(size=(50, 4, 1))
    pred = actual + rng.normal(size=(50, 4, 1))
    r = compare_forecasts(pred, pred.copy(), actual)
    assert r.statistic == 0.0 and r.p_value == 1.0


def test_much_better_forecast_gets_a_tiny_p_value_and_noise_does_not():
    rng = np.random.default_rng(2)
    actual = rng.normal(size=(2000, 24, 1))
    good = actual + 0.5 * rng.normal(size=actual.shape)
    bad = actual + 1.0 * rng.normal(size=actual.shape)
    for loss in ("squared", "absolute"):
        r = compare_forecasts(good, bad, actual, loss, lag=48)
        assert r.statistic < -10 and r.p_value < 1e-12
    twin = actual + 1.0 * rng.normal(size=actual.shape)  # equally good: no evidence
    assert compare_forecasts(twin, bad, actual, "squared", lag=48).p_value > 0.01


def test_hac_widens_the_test_for_autocorrelated_differentials():
    """An AR(1) loss differential: ignoring its autocorrelation (lag 0) overstates |DM|."""
    rng = np.random.default_rng(3)
    d = np.zeros(3000)
    for t in range(1, len(d)):
        d[t] = 0.9 * d[t - 1] + rng.normal()
    d += 0.1
    narrow = diebold_mariano(d, np.zeros_like(d), lag=0)
    wide = diebold_mariano(d, np.zeros_like(d), lag=60)
    assert abs(wide.statistic) < abs(narrow.statistic) / 2


def test_forecast_losses_average_each_origin():
    pred = np.array([[[1.0], [3.0]], [[0.0], [0.0]]])  # (T=2, H=2, K=1)
    actual = np.array([[[0.0], [0.0]], [[2.0], [-1.0]]])
    assert forecast_losses(pred, actual, "squared") == pytest.approx([5.0, 2.5])
    assert forecast_losses(pred, actual, "absolute") == pytest.approx([2.0, 1.5])


def test_student_t_and_incomplete_beta_against_known_values():
    assert 2 * (1 - student_t_cdf(2.0, 10)) == pytest.approx(0.0733880, abs=1e-6)
    assert student_t_cdf(2.228139, 10) == pytest.approx(0.975, abs=1e-6)  # t table
    assert student_t_cdf(1.0, 1) == pytest.approx(0.75)  # Cauchy: ½ + atan(1)/π
    assert student_t_cdf(0.0, 7) == 0.5
    z = 1.959964
    assert student_t_cdf(z, 1e7) == pytest.approx(0.5 * (1 + math.erf(z / math.sqrt(2))), abs=1e-6)
    assert incomplete_beta(2, 3, 0.4) == pytest.approx(0.5248)  # Σ_{j≥2} C(4,j) x^j (1−x)^{4−j}
    assert incomplete_beta(0.5, 0.5, 0.3) == pytest.approx(2 / math.pi * math.asin(math.sqrt(0.3)))


def test_errors_are_clear():
    with pytest.raises(ValueError, match=r"one length \(T,\), got \(5,\) and \(4,\)"):
        diebold_mariano(np.ones(5), np.ones(4), lag=1)
    with pytest.raises(ValueError, match="got \\(2, 3\\) and \\(2, 3\\)"):
        diebold_mariano(np.ones((2, 3)), np.ones((2, 3)), lag=1)
    with pytest.raises(ValueError, match="finite"):
        diebold_mariano(np.array([1.0, np.nan, 2.0, 3.0]), np.ones(4), lag=1)
    with pytest.raises(ValueError, match="constant"):
        diebold_mariano(np.full(10, 2.0), np.ones(10), lag=2)
    with pytest.raises(ValueError, match="lag < T = 10, got 10"):
        diebold_mariano(np.arange(10.0), np.ones(10), lag=10)
    with pytest.raises(ValueError, match="horizon"):
        diebold_mariano(np.arange(10.0), np.ones(10), lag=1, horizon=6)
    with pytest.raises(ValueError, match=r"\(T, H, K\), got \(3, 2\) and \(3, 2\)"):
        forecast_losses(np.ones((3, 2)), np.ones((3, 2)))
    with pytest.raises(ValueError, match="unknown loss 'pinball'"):
        forecast_losses(np.ones((3, 2, 1)), np.ones((3, 2, 1)), "pinball")
