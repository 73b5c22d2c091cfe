"""INMET readers: both formats, gaps, metadata, errors; the two formats agree on real data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rnnlab.data.gaps import fill_short_gaps, missing_summary, nan_runs
from rnnlab.data.inmet import read_inmet
from rnnlab.data.solar import solar_elevation

BULK_HEADER = (
    "Data;Hora UTC;PRECIPITAÇÃO TOTAL, HORÁRIO (mm);"
    "PRESSAO ATMOSFERICA AO NIVEL DA ESTACAO, HORARIA (mB);"
    "RADIACAO GLOBAL (Kj/m²);TEMPERATURA DO AR - BULBO SECO, HORARIA (°C);"
    "UMIDADE RELATIVA DO AR, HORARIA (%);"
)
META = (
    "REGIAO:;CO\nUF:;DF\nESTACAO:;BRASILIA\nCODIGO (WMO):;{code}\nLATITUDE:;-15,78944444\n"
    "LONGITUDE:;-47,92583332\nALTITUDE:;1160,96\nDATA DE FUNDACAO:;07/05/00\n"
)


def bulk_file(path: Path, temps: list[str], start_day: str = "2024/01/01", code="A001") -> Path:
    """A bulk-format file with one row per hour of ``temps`` ('' and '-9999' are missing)."""
    rows = []
    day0 = pd.Timestamp(start_day.replace("/", "-"))
    for h, t in enumerate(temps):
        stamp = day0 + pd.Timedelta(hours=h)
        rad = "" if stamp.hour < 10 or stamp.hour > 21 else "1234,5"
        rows.append(f"{stamp:%Y/%m/%d};{stamp:%H%M} UTC;0;887,1;{rad};{t};73;")
    text = META.format(code=code) + BULK_HEADER + "\n" + "\n".join(rows) + "\n"
    path.write_bytes(text.encode("latin-1"))
    return path


def test_bulk_file_names_units_gaps_and_metadata(tmp_path):
    temps = ["20,9", "21,5", "", "-9999", "22,4"] + ["23"] * 3 + [""] * 5 + ["19,5"] * 13
    df = read_inmet(bulk_file(tmp_path / "a.CSV", temps), gap_limit=3)
    assert list(df.columns) == ["temp", "humidity", "pressure", "radiation", "rain", "local_time"]
    assert str(df.index.tz) == "UTC" and len(df) == 26
    # a 2-hour gap is interpolated linearly between 21.5 and 22.4
    np.testing.assert_allclose(df["temp"].iloc[:5], [20.9, 21.5, 21.8, 22.1, 22.4])
    # a 5-hour gap stays masked, every hour of it
    assert df["temp"].iloc[8:13].isna().all() and df["temp"].notna().sum() == 21
    assert df.attrs["missing"]["temp"] == {"missing": 7, "filled": 2, "left": 5, "longest_gap": 5}
    assert missing_summary(df).loc["temp", "left"] == 5
    assert df.attrs["wmo_code"] == "A001" and df.attrs["state"] == "DF"
    assert df.attrs["lat"] == pytest.approx(-15.78944444) and df.attrs["founded"] == "2000-05-07"
    assert df.attrs["original_columns"]["temp"] == "TEMPERATURA DO AR - BULBO SECO, HORARIA (°C)"
    assert df.attrs["units"]["radiation"] == "kJ/m²"
    # Brasília is UTC−3
    assert df["local_time"].iloc[0] == pd.Timestamp("2023-12-31 21:00", tz="America/Sao_Paulo")
    # empty radiation at night becomes 0; daytime values are kept
    assert df["radiation"].iloc[3] == 0.0 and df["radiation"].iloc[12] == 1234.5


def test_portal_format_gets_the_same_names(tmp_path):
    header = (
        '"Data";"Hora (UTC)";"Temp. Ins. (C)";"Umi. Ins. (%)";"Pressao Ins. (hPa)";'
        '"Radiacao (KJ/m²)";"Chuva (mm)"'
    )
    rows = ["05/04/2024;0000;21,8;91,0;888,5;0,0;", "05/04/2024;0100;21,6;93,0;888,7;0,0;0,2"]
    path = tmp_path / "portal.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    df = read_inmet(path)
    assert list(df.columns) == ["temp", "humidity", "pressure", "radiation", "rain", "local_time"]
    assert df.index[0] == pd.Timestamp("2024-04-05 00:00", tz="UTC")  # day first: 5 April
    assert df["temp"].tolist() == [21.8, 21.6] and np.isnan(df["rain"].iloc[0])
    assert df.attrs["formats"] == ["portal"] and df.attrs["wmo_code"] is None


def test_several_files_concatenate_and_stations_must_match(tmp_path):
    a = bulk_file(tmp_path / "2023.CSV", ["20"] * 24, "2023/12/31")
    b = bulk_file(tmp_path / "2024.CSV", ["21"] * 24, "2024/01/01")
    df = read_inmet([b, a])
    assert len(df) == 48 and df.index.is_monotonic_increasing
    assert df["temp"].iloc[0] == 20.0 and df["temp"].iloc[-1] == 21.0
    assert len(read_inmet(tmp_path)) == 48  # a folder reads every CSV in it
    c = bulk_file(tmp_path / "other.CSV", ["21"] * 3, "2024/01/02", code="A002")
    with pytest.raises(ValueError, match=r"one station, got stations \['A001', 'A002'\]"):
        read_inmet([a, c])


def test_clear_errors(tmp_path):
    latin = bulk_file(tmp_path / "a.CSV", ["20"] * 3)
    with pytest.raises(ValueError, match="is not UTF-8: invalid byte.*Latin-1"):
        read_inmet(latin, encoding="utf-8")
    utf8 = tmp_path / "u.CSV"
    utf8.write_bytes(latin.read_bytes().decode("latin-1").encode("utf-8"))
    with pytest.raises(ValueError, match="looks like UTF-8"):
        read_inmet(utf8, encoding="latin-1")
    assert read_inmet(utf8)["temp"].tolist() == [20.0] * 3  # detected
    other = tmp_path / "other.csv"
    other.write_text("date,value\n2024-01-01,1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="is not an INMET file"):
        read_inmet(other)
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ValueError, match="empty"):
        read_inmet(empty)
    with pytest.raises(FileNotFoundError):
        read_inmet(tmp_path / "missing.CSV")


def test_fill_short_gaps_leaves_long_gaps_whole():
    s = pd.Series([1.0, np.nan, 3.0, np.nan, np.nan, np.nan, np.nan, 8.0, np.nan])
    out = fill_short_gaps(s, limit=3)
    np.testing.assert_allclose(out[:3], [1, 2, 3])
    assert out[3:7].isna().all()  # pandas' interpolate(limit=3) would fill three of these
    assert np.isnan(out.iloc[-1])  # no extrapolation at the end
    assert nan_runs(s.to_numpy()) == [(1, 2), (3, 7), (8, 9)]


def test_solar_elevation_day_and_night():
    idx = pd.DatetimeIndex(["2024-03-20 12:00", "2024-03-20 00:00"], tz="UTC")
    elev = solar_elevation(idx, lat=0.0, lon=0.0)
    assert elev[0] > 85 and elev[1] < -85  # equinox on the equator: overhead at noon
    brasilia = solar_elevation(pd.DatetimeIndex(["2024-06-01 15:00"], tz="UTC"), -15.8, -47.9)
    assert 45 < brasilia[0] < 60  # local noon in winter: 90 − 15.8 − 22 ≈ 52°


@pytest.mark.shared_data
def test_portal_sample_matches_the_bulk_file(shared_data):
    """Both formats give the same names, units and hours: 206 of the 208 values agree exactly.

    The two that differ are in the sample itself (typed from a course slide of
    real-time data): humidity_max at 11 UTC (87 vs 97) and radiation at 10 UTC
    (78.0 vs 77.1 kJ/m²).
    """
    portal = read_inmet(shared_data / "inmet-portal-sample" / "A001_BRASILIA_2024-04-05.csv")
    year = "INMET_CO_DF_A001_BRASILIA_01-01-2024_A_31-12-2024.CSV"
    bulk = read_inmet(shared_data / "inmet-a001-brasilia" / year)
    columns = [c for c in portal.columns if c not in ("rain", "local_time")]  # rain not on slide
    assert columns == [c for c in bulk.columns if c not in ("rain", "local_time")]
    diff = (portal[columns] - bulk.loc[portal.index, columns]).abs().stack()
    assert diff.size == 208
    assert sorted(diff[diff > 1e-9].index.get_level_values(1)) == ["humidity_max", "radiation"]
    assert diff.max() <= 10.0
    assert portal["rain"].isna().all()


@pytest.mark.shared_data
def test_four_years_of_a001(shared_data):
    df = read_inmet(shared_data / "inmet-a001-brasilia")
    assert len(df) == 4 * 8760 + 24 and df.index.freq == "h"
    assert df.attrs["station"] == "BRASILIA" and df.attrs["altitude"] == pytest.approx(1160.96)
    assert df["temp"].notna().all() and 5 < df["temp"].min() < df["temp"].max() < 40
    assert len(df.attrs["files"]) == 4


def test_older_bulk_layout_with_iso_dates_and_colon_hours(tmp_path):
    """Files up to 2018: ``DATA (YYYY-MM-DD);HORA (UTC)``, hours ``00:00``, -9999 for missing."""
    header = (
        "DATA (YYYY-MM-DD);HORA (UTC);PRECIPITAÇÃO TOTAL, HORÁRIO (mm);"
        "TEMPERATURA DO AR - BULBO SECO, HORARIA (°C);RADIACAO GLOBAL (KJ/m²);"
    )
    rows = [
        "2018-06-01;00:00;0;15,2;-9999;",
        "2018-06-01;01:00;0;-9999;-9999;",
        "2018-06-01;02:00;0;14,6;-9999;",
    ]
    path = tmp_path / "old.CSV"
    path.write_bytes((META.format(code="A001") + header + "\n" + "\n".join(rows)).encode("latin-1"))
    df = read_inmet(path)
    np.testing.assert_allclose(df["temp"], [15.2, 14.9, 14.6])  # the -9999 hour interpolated
    assert (df["radiation"] == 0.0).all()  # night in Brasília (21:00-23:00 local)
    assert df.attrs["original_columns"]["radiation"] == "RADIACAO GLOBAL (KJ/m²)"


def test_the_shipped_year_reads_without_shared_data():
    df = read_inmet("shipped:inmet-a001-2024")
    assert len(df) == 8784 and df.attrs["wmo_code"] == "A001"
    assert df.index[0] == pd.Timestamp("2024-01-01", tz="UTC") and df["temp"].notna().all()
    with pytest.raises(FileNotFoundError, match="no shipped data 'nope'"):
        read_inmet("shipped:nope")
