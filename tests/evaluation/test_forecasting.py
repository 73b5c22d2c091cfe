"""Metrics against hand-computed numbers; baselines exact where they must be; backtest folds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rnnlab.data.splits import SplitConfig
from rnnlab.data.windows import SeriesWindows, WindowConfig
from rnnlab.evaluation.backtest import refitting, rolling_origin
from rnnlab.evaluation.baselines import LinearAR, persistence, seasonal_naive, seasonal_period
from rnnlab.evaluation.forecast_report import baseline_forecasts, compare, markdown_table
from rnnlab.evaluation.forecasting import interval_coverage, mase_scale, pinball, score


def windows(values: np.ndarray, lookback=6, horizon=4, split=(0.6, 0.8)) -> SeriesWindows:
    idx = pd.date_range("2024-01-01", periods=len(values), freq="h")
    frame = pd.DataFrame({"y": values}, index=idx)
    return SeriesWindows.build(
        frame, WindowConfig(lookback, horizon, ("y",), (), ()), SplitConfig(*split)
    )


def test_score_against_hand_numbers():
    pred = np.array([[[1.0], [2.0]], [[3.0], [4.0]]])  # (B=2, H=2, K=1)
    actual = np.array([[[2.0], [2.0]], [[3.0], [np.nan]]])
    s = score(pred, actual, scale=np.array([0.5]))
    np.testing.assert_allclose(s.mae[:, 0], [0.5, 0.0])  # step 1: |−1|, |0|; step 2: |0|
    np.testing.assert_allclose(s.rmse[:, 0], [np.sqrt(0.5), 0.0])
    assert s.overall["mae"] == pytest.approx(1 / 3)  # NaN target skipped
    assert s.overall["rmse"] == pytest.approx(np.sqrt(1 / 3))  # pooled, not mean of steps
    assert s.overall["mase"] == pytest.approx(2 / 3)
    assert s.table(["y"])[0] == {
        "step": 1,
        "target": "y",
        "mae": 0.5,
        "rmse": pytest.approx(np.sqrt(0.5)),
        "mse": 0.5,
        "mase": 1.0,
    }
    with pytest.raises(ValueError, match="one shape"):
        score(pred, actual[:, :1])
    with pytest.raises(ValueError, match="NaN"):
        score(np.full_like(pred, np.nan), actual)


def test_mase_scale_is_the_seasonal_naive_in_sample_mae():
    train = np.array([1.0, 2.0, 4.0, 7.0, np.nan, 10.0])
    # period 1 diffs: 1, 2, 3, (nan), (nan) -> 2;  period 2: 3, 5, (nan), 3 -> 11/3
    assert mase_scale(train, 1)[0] == pytest.approx(2.0)
    assert mase_scale(train, 2)[0] == pytest.approx(11 / 3)
    with pytest.raises(ValueError, match="constant"):
        mase_scale(np.ones(10), 1)


def test_interval_coverage_and_pinball():
    actual = np.array([0.0, 1.0, 2.0, np.nan])
    assert interval_coverage(np.zeros(4), np.ones(4), actual) == pytest.approx(2 / 3)
    assert pinball(np.zeros(3), np.array([1.0, -1.0, 0.0]), 0.9) == pytest.approx((0.9 + 0.1) / 3)


def test_persistence_and_seasonal_naive_are_exact_where_they_must_be():
    ramp = windows(np.arange(100.0))
    t = ramp.starts["test"]
    np.testing.assert_allclose(persistence(ramp, t)[:, :, 0], (t - 1)[:, None] * np.ones(4))
    period = 3
    cyc = windows(np.tile([1.0, 5.0, 2.0], 40))
    t = cyc.starts["test"]
    np.testing.assert_allclose(seasonal_naive(cyc, t, period), cyc.actual(t))  # exact
    # with m = 3 and H = 4, step 4 looks back two seasons: y[t+3-6]
    np.testing.assert_allclose(
        seasonal_naive(ramp, ramp.starts["test"], 3)[:, 3, 0], ramp.starts["test"] - 3
    )
    with pytest.raises(ValueError, match="seasonal period in"):
        seasonal_naive(cyc, t, 10)


def test_linear_ar_recovers_a_noiseless_ar2_and_matches_lstsq():
    y = np.zeros(300)
    y[:2] = [1.0, 0.5]
    for i in range(2, 300):
        y[i] = 1.6 * y[i - 1] - 0.8 * y[i - 2] + 0.1  # stable AR(2) with a constant
    w = windows(y)
    ar = LinearAR(ridge=1e-9).fit(w, w.starts["train"])
    t = w.starts["test"]
    np.testing.assert_allclose(ar.predict(w, t), w.actual(t), atol=1e-5)
    noisy = windows(np.random.default_rng(0).normal(size=300).cumsum())
    ar = LinearAR(ridge=0.0).fit(noisy, noisy.starts["train"])
    X = ar._design(noisy, noisy.starts["train"])
    Y = noisy.targets(noisy.starts["train"]).reshape(len(X), -1)
    ref = np.linalg.lstsq(X, Y, rcond=None)[0]
    np.testing.assert_allclose(ar.weights, ref, atol=1e-6)


def test_rolling_origin_never_refits_on_the_future():
    w = windows(np.sin(np.arange(400) / 3.0), split=(0.5, 0.6))
    seen = []

    def fit(train_starts):
        seen.append(int(train_starts.max()))
        return lambda s: LinearAR().fit(w, train_starts).predict(w, s)

    pool = np.concatenate([w.starts[s] for s in ("train", "valid", "test")])
    starts = w.starts["test"]
    rows = rolling_origin(
        w, {"ar": refitting(fit, w, pool), "last": lambda s, _: persistence(w, s)}, starts, folds=3
    )
    assert len(rows) == 6 and [r["fold"] for r in rows] == [1, 1, 2, 2, 3, 3]
    firsts = [b[0] for b in np.array_split(starts, 3)]
    assert all(m + w.config.horizon <= f for m, f in zip(seen, firsts, strict=True))
    assert seen[0] < seen[1] < seen[2]  # expanding window


def test_report_table_names_every_model():
    w = windows(np.sin(np.arange(300) / 4.0) + np.arange(300) * 0.01, lookback=8)
    t = w.starts["test"]
    fc = baseline_forecasts(w, t, period=4)
    assert set(fc) == {"persistence", "seasonal_naive", "linear_ar"}
    text = markdown_table(compare(fc, w.actual(t), None))
    assert "| linear_ar |" in text and "+0.0%" in text
    assert seasonal_period("h") == 24 and seasonal_period("MS") == 12


def test_linear_ar_on_the_last_steps_equals_one_on_a_shorter_window():
    y = np.random.default_rng(1).normal(size=300).cumsum()
    short = LinearAR(ridge=0.5).fit(windows(y, lookback=3), windows(y, lookback=3).starts["train"])
    last = LinearAR(ridge=0.5, steps=3)
    w = windows(y, lookback=6)
    last.fit(w, w.starts["train"][3:])  # same origins as the 3-step windows (origin >= 6)
    w3 = windows(y, lookback=3)
    same = np.intersect1d(w.starts["train"][3:], w3.starts["train"])
    refit = LinearAR(ridge=0.5).fit(w3, same)
    np.testing.assert_allclose(last.weights, refit.weights, atol=1e-10)
    assert short.weights.shape == last.weights.shape == (3 + 1, 4)
    t = w.starts["test"]
    np.testing.assert_allclose(last.predict(w, t), refit.predict(w3, t), atol=1e-10)
    with pytest.raises(ValueError, match="steps <= lookback 6, got 7"):
        LinearAR(steps=7).fit(w, w.starts["train"])
    with pytest.raises(ValueError, match="steps >= 1"):
        LinearAR(steps=0)


def test_an_undefined_mase_scale_says_why_not_constant():
    t = np.arange(96)
    series = np.stack([(t % 24).astype(float), np.random.default_rng(0).normal(size=96)], 1)
    with pytest.raises(ValueError, match=r"0 for target column\(s\) \[0\] \(the series is "
                                         r"constant, or repeats itself exactly every 24 steps\)"):
        mase_scale(series, 24)  # column 0 repeats exactly: not "constant"


def test_linear_ar_saved_and_loaded_forecasts_the_same(tmp_path):
    from rnnlab.data.splits import SplitConfig
    from rnnlab.data.windows import SeriesWindows, WindowConfig
    from rnnlab.evaluation.baselines import LinearAR

    idx = pd.date_range("2024-01-01", periods=120, freq="h")
    t = np.arange(120)
    frame = pd.DataFrame({"y": np.sin(t / 3.0) + 0.01 * t, "x": np.cos(t / 5.0)}, index=idx)
    w = SeriesWindows.build(frame, WindowConfig(8, 3, ("y",), ("x",)), SplitConfig(0.6, 0.8))
    ar = LinearAR(0.5, steps=4).fit(w, w.starts["train"])
    ar.save(tmp_path / "ar.safetensors")
    back = LinearAR.load(tmp_path / "ar.safetensors")
    assert (back.ridge, back.steps) == (0.5, 4)
    t = w.starts["test"]
    np.testing.assert_array_equal(back.predict(w, t), ar.predict(w, t))
    (tmp_path / "bad.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(ValueError, match="corrupt linear AR file"):
        LinearAR.load(tmp_path / "bad.safetensors")
