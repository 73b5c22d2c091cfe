"""Is one forecast really better than another? The Diebold–Mariano test.

Symbols: T forecast origins, H horizon steps, K targets, q HAC lag. Two
forecasts A and B of the same actuals give per-origin losses a_t and b_t
(here the squared or absolute error averaged over the H·K values of origin t),
and the loss differential

    d_t = a_t − b_t,    d̄ = (1/T) Σ_t d_t                  (d̄ < 0: A has the lower loss)

Under H0 "equal expected loss", d̄ / sqrt(V / T) is asymptotically N(0, 1),
where V is the long-run variance of d_t. Errors of overlapping multi-step
forecasts are autocorrelated (origins t and t + 1 share H − 1 targets), so V
is the Newey–West (1987) HAC estimate with Bartlett weights:

    γ_k = (1/T) Σ_{t>k} (d_t − d̄)(d_{t−k} − d̄)
    V   = γ_0 + 2 Σ_{k=1}^{q} (1 − k/(q + 1)) γ_k               (never negative)
    DM  = d̄ / sqrt(V / T)                                   (Diebold & Mariano 1995)

Harvey, Leybourne & Newbold (1997) correct its small-sample size for an
h-step forecast and compare it with Student's t with T − 1 degrees of freedom:

    DM* = DM · sqrt((T + 1 − 2h + h(h − 1)/T) / T),    p = 2 P(t_{T−1} > |DM*|)

The Student-t tail comes from the regularised incomplete beta function
(continued fraction, Lentz's method), so no scipy is needed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

LOSSES = ("squared", "absolute")


@dataclass(frozen=True)
class DMResult:
    statistic: float  # DM*: negative when the first forecast has the lower loss
    p_value: float  # two-sided, H0: equal expected loss
    p_less: float  # one-sided, H1: the first forecast has the LOWER expected loss
    mean_diff: float  # d̄ = mean (loss_a − loss_b)
    n: int  # T origins
    lag: int  # q, the Bartlett HAC lag
    horizon: int  # h in the HLN correction


def newey_west_variance(d: np.ndarray, lag: int) -> float:
    """V = γ_0 + 2 Σ_{k=1}^{q} (1 − k/(q+1)) γ_k of a series d (T,), Bartlett weights."""
    d = np.asarray(d, dtype=float)
    if d.ndim != 1 or len(d) < 2:
        raise ValueError(f"expected a 1-D series of at least 2 values, got shape {d.shape}")
    if not 0 <= lag < len(d):
        raise ValueError(f"expected 0 <= lag < T = {len(d)}, got {lag}")
    T = len(d)
    e = d - d.mean()  # d_t − d̄
    V = float(e @ e) / T  # γ_0
    for k in range(1, lag + 1):
        gamma_k = float(e[k:] @ e[:-k]) / T  # γ_k
        V += 2.0 * (1.0 - k / (lag + 1)) * gamma_k
    return V


def diebold_mariano(loss_a: np.ndarray, loss_b: np.ndarray, lag: int, horizon: int = 1) -> DMResult:
    """DM test of per-origin losses a_t, b_t (T,) with HAC lag q and HLN horizon h."""
    a, b = np.asarray(loss_a, dtype=float), np.asarray(loss_b, dtype=float)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(
            f"expected two 1-D loss series of one length (T,), got {a.shape} and {b.shape}"
        )
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise ValueError("expected finite losses, got NaN or inf")
    T = len(a)
    if not 1 <= horizon < T / 2:
        raise ValueError(f"expected 1 <= horizon < T/2 = {T / 2}, got {horizon}")
    d = a - b  # d_t, (T,)
    d_bar = float(d.mean())
    if np.all(d == 0):  # identical losses: no evidence either way
        return DMResult(0.0, 1.0, 0.5, 0.0, T, lag, horizon)
    V = newey_west_variance(d, lag)
    if V <= 0:
        raise ValueError(
            f"the loss differential is constant (d_t = {d_bar:g} for every t): "
            "its variance is 0 and the DM statistic is undefined"
        )
    dm = d_bar / math.sqrt(V / T)  # DM
    h = horizon
    dm_star = dm * math.sqrt((T + 1 - 2 * h + h * (h - 1) / T) / T)  # DM*, HLN (1997)
    df = T - 1
    p_less = student_t_cdf(dm_star, df)  # P(t ≤ DM*): small when A is better
    p_two = 2.0 * min(p_less, 1.0 - p_less)
    return DMResult(dm_star, min(p_two, 1.0), p_less, d_bar, T, lag, horizon)


def forecast_losses(pred: np.ndarray, actual: np.ndarray, loss: str = "squared") -> np.ndarray:
    """Per-origin loss (T,): the squared or absolute error averaged over steps and targets."""
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; expected one of {LOSSES}")
    pred, actual = np.asarray(pred, dtype=float), np.asarray(actual, dtype=float)
    if pred.shape != actual.shape or pred.ndim != 3:
        raise ValueError(
            f"expected pred and actual of one shape (T, H, K), got {pred.shape} and {actual.shape}"
        )
    err = pred - actual  # (T, H, K)
    if not np.isfinite(err).all():
        raise ValueError("expected finite forecasts and actuals, got NaN or inf")
    per = err**2 if loss == "squared" else np.abs(err)
    return per.reshape(len(per), -1).mean(axis=1)  # (T,)


def compare_forecasts(
    pred_a: np.ndarray,
    pred_b: np.ndarray,
    actual: np.ndarray,
    loss: str = "squared",
    lag: int | None = None,
) -> DMResult:
    """DM test of forecasts A and B (T, H, K) of one actual; lag defaults to 2H.

    Negative statistic: A is better. h in the HLN factor is the horizon H."""
    H = np.asarray(actual).shape[1] if np.ndim(actual) == 3 else 1
    la, lb = forecast_losses(pred_a, actual, loss), forecast_losses(pred_b, actual, loss)
    return diebold_mariano(la, lb, 2 * H if lag is None else lag, H)


def student_t_cdf(t: float, df: float) -> float:
    """P(T ≤ t) for Student's t with ``df`` degrees of freedom.

    P(|T| > |t|) = I_x(df/2, 1/2) with x = df / (df + t²)  (regularised incomplete beta)."""
    if df <= 0:
        raise ValueError(f"expected df > 0, got {df}")
    if math.isinf(t):
        return 1.0 if t > 0 else 0.0
    tail = 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t))  # P(T > |t|)
    return 1.0 - tail if t > 0 else tail


def incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b), a, b > 0, 0 ≤ x ≤ 1."""
    if a <= 0 or b <= 0 or not 0.0 <= x <= 1.0:
        raise ValueError(f"expected a, b > 0 and 0 <= x <= 1, got {a}, {b}, {x}")
    if x in (0.0, 1.0):
        return x
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )  # log x^a (1−x)^b / B(a, b)
    if x < (a + 1.0) / (a + b + 2.0):  # the continued fraction converges fast here
        return math.exp(log_front) * _beta_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_fraction(b, a, 1.0 - x) / b  # symmetry


def _beta_fraction(a: float, b: float, x: float, tol: float = 1e-15) -> float:
    """Continued fraction of I_x(a, b), evaluated by the modified Lentz method."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    f = d
    for m in range(1, 10_000):
        for num in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),  # even step d_{2m}
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),  # odd step d_{2m+1}
        ):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            f *= c * d
        if abs(c * d - 1.0) < tol:
            return f
    raise ArithmeticError(f"incomplete beta did not converge for a={a}, b={b}, x={x}")
