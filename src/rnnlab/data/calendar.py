"""Calendar features: where a timestamp falls in the day and in the year, as sin/cos.

A cyclic quantity p with period P (hour of day, P = 24; day of year, P = 365.25)
becomes the point (sin 2πp/P, cos 2πp/P) on the unit circle, so 23:00 and 00:00
are neighbours. These values are known in advance for every future step, which
is why decoders and recursive forecasters may use them beyond the forecast
origin without leaking anything.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# kind -> (function of the index giving p, period P)
CALENDAR_KINDS = {
    "hour": (lambda idx: idx.hour + idx.minute / 60.0, 24.0),
    "doy": (lambda idx: idx.day_of_year - 1 + idx.hour / 24.0, 365.25),
    "dow": (lambda idx: idx.dayofweek + idx.hour / 24.0, 7.0),
    "month": (lambda idx: idx.month - 1, 12.0),
}


def default_calendar(freq: str | None) -> tuple[str, ...]:
    """Hour of day and day of year below one day per step; month of year for monthly data."""
    if freq is None:
        return ()
    step = pd.tseries.frequencies.to_offset(freq)
    try:
        delta = pd.Timedelta(step)
    except ValueError:  # months, quarters, years have no fixed length
        return ("month",)
    if delta < pd.Timedelta(days=1):
        return ("hour", "doy")
    return ("doy",)


def calendar_features(index: pd.DatetimeIndex, kinds: tuple[str, ...]) -> pd.DataFrame:
    """Columns ``<kind>_sin`` and ``<kind>_cos`` for each kind (hour, doy, dow, month)."""
    unknown = sorted(set(kinds) - set(CALENDAR_KINDS))
    if unknown:
        raise ValueError(f"unknown calendar feature(s) {unknown}; known: {sorted(CALENDAR_KINDS)}")
    columns: dict[str, np.ndarray] = {}
    for kind in kinds:
        phase, period = CALENDAR_KINDS[kind]
        angle = 2.0 * np.pi * np.asarray(phase(index), dtype=float) / period
        columns[f"{kind}_sin"] = np.sin(angle)
        columns[f"{kind}_cos"] = np.cos(angle)
    return pd.DataFrame(columns, index=index)
