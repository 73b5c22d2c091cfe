"""Solar elevation angle, to tell night from a missing radiation reading.

INMET bulk files leave global radiation empty at night; the portal writes 0.
Filling the night-time blanks with 0 (and only those) keeps radiation usable
as a model input without inventing daytime values. Night is where the sun is
below the horizon, from the station's latitude and longitude:

    δ = 23.44° · sin(2π (284 + n) / 365)            (declination, Cooper 1969)
    ω = 15° · (solar time − 12 h)                    (hour angle)
    sin α = sin φ sin δ + cos φ cos δ cos ω          (elevation α, latitude φ)

with solar time ≈ UTC hours + longitude / 15°. Accurate to about a degree,
plenty for day versus night.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def solar_elevation(index_utc: pd.DatetimeIndex, lat: float, lon: float) -> np.ndarray:
    """Elevation of the sun in degrees at each UTC timestamp, for latitude/longitude in degrees."""
    n = index_utc.day_of_year.to_numpy()
    hours = (index_utc.hour + index_utc.minute / 60.0).to_numpy()
    delta = np.radians(23.44) * np.sin(2 * np.pi * (284 + n) / 365.0)
    solar_time = hours + lon / 15.0
    omega = np.radians(15.0 * (solar_time - 12.0))
    phi = np.radians(lat)
    sin_alpha = np.sin(phi) * np.sin(delta) + np.cos(phi) * np.cos(delta) * np.cos(omega)
    return np.degrees(np.arcsin(np.clip(sin_alpha, -1.0, 1.0)))
