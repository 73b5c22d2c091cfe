"""The drift check: the shift of each input's mean in training standard deviations, by hand;
flags beyond the threshold only; the warning names the column, both means and the size."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from rnnlab.data.scalers import StandardScaler
from rnnlab.evaluation.drift import check_drift, warn_drift


def test_shift_and_ratio_by_hand_and_only_large_shifts_are_flagged(caplog):
    scaler = StandardScaler(("temp", "pressure"), (20.0, 888.0), (3.0, 2.5))
    values = np.array([[21.0, 905.0], [23.0, 907.0], [np.nan, 906.0]])
    temp, pressure = check_drift(values, ["temp", "pressure"], scaler)
    assert temp.shift == pytest.approx((22.0 - 20.0) / 3.0) and not temp.flagged
    assert temp.ratio == pytest.approx(1.0 / 3.0) and temp.rows == 2
    assert pressure.shift == pytest.approx((906.0 - 888.0) / 2.5) and pressure.flagged
    with caplog.at_level(logging.WARNING, logger="rnnlab"):
        (message,) = warn_drift([temp, pressure], {"pressure": "hPa"})
    assert message == ("input 'pressure' has drifted: mean 906 hPa on this data vs 888 hPa in "
                       "training (+7.2 σ of the training scaler, σ = 2.5 hPa; spread ×0.33)")
    assert message in caplog.text
    assert not check_drift(values, ["temp", "pressure"], scaler, threshold=8.0)[1].flagged


def test_a001_2024_does_not_drift_from_2021_2023_and_a_station_170_m_lower_does(shared_data):
    """No 2025 file is shipped: the held-out year 2024 stands in for "new data of the same
    station"; the same year with the pressure of a station 171 m lower must be flagged."""
    from rnnlab.data.inmet import read_inmet

    frame = read_inmet(shared_data / "inmet-a001-brasilia")
    columns = ["temp", "humidity", "pressure", "dew_point", "radiation", "wind_speed"]
    values = frame[columns].to_numpy(dtype=float)
    split = int(frame.index.searchsorted(pd.Timestamp("2024-01-01", tz="UTC")))
    scaler = StandardScaler.fit(values[:split], columns)
    held_out = check_drift(values[split:], columns, scaler)
    assert not any(d.flagged for d in held_out), [(d.column, d.shift) for d in held_out]
    lower = values[split:].copy()
    lower[:, 2] *= 1.01999  # exp(g Δh / R T) for Δh = 171 m at 22 °C: +17.8 hPa
    flagged = [d for d in check_drift(lower, columns, scaler) if d.flagged]
    assert [d.column for d in flagged] == ["pressure"] and 7.0 < flagged[0].shift < 8.0
