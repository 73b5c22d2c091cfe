"""Windows, splits, scalers and calendar features: shapes, no leakage, masking, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rnnlab.data.calendar import calendar_features, default_calendar
from rnnlab.data.scalers import StandardScaler
from rnnlab.data.splits import SplitConfig, split_rows
from rnnlab.data.windows import SeriesWindows, WindowConfig


def hourly(n: int = 200, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2024-01-01", periods=n, freq="h", tz="UTC")
    t = np.arange(n)
    return pd.DataFrame(
        {"temp": 20 + 5 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 0.1, n), "hum": 50 + t * 0.1},
        index=idx,
    )


def test_shapes_and_gathered_values():
    df = hourly()
    cfg = WindowConfig(lookback=10, horizon=4, targets=("temp",), inputs=("hum",))
    w = SeriesWindows.build(df, cfg, SplitConfig(0.5, 0.75))
    assert w.columns == ["temp", "hum", "hour_sin", "hour_cos", "doy_sin", "doy_cos"]
    t = w.starts["test"][:3]
    assert w.inputs(t).shape == (3, 10, 6) and w.targets(t).shape == (3, 4, 1)
    assert w.known_future(t).shape == (3, 4, 4)
    # scaled targets map back to the very numbers in the frame
    np.testing.assert_allclose(
        w.to_units(w.targets(t))[0, :, 0], df["temp"].iloc[t[0] : t[0] + 4], rtol=1e-5
    )
    np.testing.assert_allclose(w.actual(t)[1, :, 0], df["temp"].iloc[t[1] : t[1] + 4])
    np.testing.assert_allclose(w.history(t, 2)[0, :, 0], df["temp"].iloc[t[0] - 2 : t[0]])


def test_targets_stay_inside_their_split_and_scaler_sees_train_only():
    df = hourly()
    cfg = WindowConfig(lookback=10, horizon=4, targets=("temp",))
    a, b = split_rows(df.index, SplitConfig(0.5, 0.75))
    w = SeriesWindows.build(df, cfg, SplitConfig(0.5, 0.75))
    assert w.starts["train"].min() == 10 and w.starts["train"].max() + 4 <= a
    assert w.starts["valid"].min() == a and w.starts["valid"].max() + 4 <= b
    assert w.starts["test"].min() == b and w.starts["test"].max() + 4 == len(df)
    # changing the future does not change the scaler (fit on train rows only)
    poisoned = df.copy()
    poisoned.iloc[a:, 0] += 1000.0
    w2 = SeriesWindows.build(poisoned, cfg, SplitConfig(0.5, 0.75))
    assert w2.scaler == w.scaler
    assert w.scaler.mean[0] == pytest.approx(df["temp"].iloc[:a].mean())


def test_missing_rows_mask_every_window_touching_them():
    df = hourly()
    df.iloc[50, 0] = np.nan
    w = SeriesWindows.build(df, WindowConfig(10, 4, ("temp",)), SplitConfig(0.9, 0.95))
    train = set(w.starts["train"].tolist())
    assert not any(t - 10 <= 50 < t + 4 for t in train)
    assert {46, 61} <= train  # the nearest clean windows on both sides survive


def test_clear_errors():
    df = hourly(30)
    with pytest.raises(
        ValueError, match=r"unknown column\(s\) \['pressure'\]; available: \['temp', 'hum'\]"
    ):
        SeriesWindows.build(df, WindowConfig(4, 2, ("pressure",)))
    df["label"] = "x"
    with pytest.raises(ValueError, match=r"\['label'\] are not numeric"):
        SeriesWindows.build(df, WindowConfig(4, 2, ("temp",), ("label",)))
    df = df.drop(columns="label")
    df["empty"] = np.nan
    with pytest.raises(ValueError, match="entirely missing"):
        SeriesWindows.build(df, WindowConfig(4, 2, ("empty",)))
    with pytest.raises(ValueError, match="series too short for the window: 30 rows.*72 \\+ 24"):
        SeriesWindows.build(df, WindowConfig(72, 24, ("temp",)))
    with pytest.raises(ValueError, match="train_end <= valid_end"):
        split_rows(df.index, SplitConfig("2030-01-01", 0.5))


def test_future_calendar_and_latest_origin():
    df = hourly(50)
    w = SeriesWindows.build(df, WindowConfig(10, 6, ("temp",)))
    assert w.latest_origin() == 50 and w.index[-1] == df.index[-1] + pd.Timedelta(hours=6)
    cal = w.known_future(np.array([50]))[0]  # the 6 hours after the data end
    expected = calendar_features(w.index[50:56], ("hour", "doy")).to_numpy()
    np.testing.assert_allclose(cal, expected, atol=1e-6)
    assert np.isnan(w.actual(np.array([50]))).all()


def test_calendar_features_are_points_on_the_circle():
    idx = pd.DatetimeIndex(["2024-01-01 00:00", "2024-01-01 06:00", "2024-07-01 12:00"])
    cal = calendar_features(idx, ("hour", "doy"))
    np.testing.assert_allclose(cal["hour_sin"], [0, 1, 0], atol=1e-12)
    np.testing.assert_allclose(cal["hour_cos"], [1, 0, -1], atol=1e-12)
    np.testing.assert_allclose(cal["doy_sin"] ** 2 + cal["doy_cos"] ** 2, 1.0)
    assert default_calendar("h") == ("hour", "doy") and default_calendar("MS") == ("month",)
    with pytest.raises(ValueError, match="unknown calendar"):
        calendar_features(idx, ("week",))


def test_scaler_json_round_trip(tmp_path):
    x = np.array([[1.0, 5.0], [3.0, 5.0], [np.nan, 5.0]])
    s = StandardScaler.fit(x, ["a", "b"])
    assert s.mean == (2.0, 5.0) and s.std == (1.0, 1.0)  # constant column: σ = 1
    np.testing.assert_allclose(s.inverse(s.transform(x[:2])), x[:2])
    s.save(tmp_path / "scaler.json")
    assert StandardScaler.load(tmp_path / "scaler.json") == s
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="corrupt scaler"):
        StandardScaler.load(tmp_path / "bad.json")
    with pytest.raises(ValueError, match="no values in training"):
        StandardScaler.fit(np.full((3, 1), np.nan), ["c"])


def test_static_station_fields_are_constant_known_inputs_from_the_header():
    df = hourly()
    df.attrs.update(lat=-15.79, lon=-47.93, altitude=1160.96)
    cfg = WindowConfig(lookback=10, horizon=4, targets=("temp",), static=("altitude", "lat"))
    w = SeriesWindows.build(df, cfg, SplitConfig(0.5, 0.75))
    assert w.columns[-2:] == ["static_altitude", "static_lat"]
    t = w.starts["test"][:2]
    np.testing.assert_allclose(w.inputs(t)[..., -2:], [[[1.16096, -15.79 / 90]] * 10] * 2,
                               rtol=1e-6)
    np.testing.assert_allclose(w.known_future(t)[..., -1], -15.79 / 90, rtol=1e-6)
    lower = hourly()
    lower.attrs.update(lat=-15.79, lon=-47.93, altitude=990.0)  # another station, same scaler
    w2 = SeriesWindows.build(lower, cfg, scaler=w.scaler)
    assert w2.inputs(t)[0, 0, -2] == pytest.approx(0.99)
    with pytest.raises(ValueError, match="static input 'altitude' needs station metadata"):
        SeriesWindows.build(hourly(), cfg, SplitConfig(0.5, 0.75))
    with pytest.raises(ValueError, match=r"\[window\] static: unknown field\(s\) \['height'\]"):
        WindowConfig(static=("height",))


def test_origins_between_and_missing_inputs():
    df = hourly(60)
    df.iloc[30:32, 1] = np.nan  # two missing hours of hum
    w = SeriesWindows.build(df, WindowConfig(10, 4, ("temp",), ("hum",)), SplitConfig(0.5, 0.75))
    t = w.origins_between(45, 60)
    assert t[0] == 45 and t[-1] == 56  # targets of 56 are rows 56..59, the last rows
    every = set(w.origins_between(0, 60).tolist())
    assert every.isdisjoint(range(27, 42)) and {26, 42} <= every  # windows touching the gap
    assert w.missing_inputs(35) == {"hum": [30, 31]} and w.missing_inputs(45) == {}
    only_inputs = SeriesWindows.build(df.iloc[:10], w.config, scaler=w.scaler)  # L rows suffice
    assert only_inputs.latest_origin() == 10
    with pytest.raises(ValueError, match="need at least lookback = 10 to forecast from its end"):
        SeriesWindows.build(df.iloc[:9], w.config, scaler=w.scaler)
