"""Any CSV with a time column: delimiter, decimal, encoding, time column, clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rnnlab.data.csv_series import read_csv_series


def test_semicolon_decimal_comma_latin1(tmp_path):
    path = tmp_path / "s.csv"
    text = "Data;Temperatura;Umidade\n01/02/2024;20,5;80\n02/02/2024;21,5;81\n03/02/2024;22,5;82\n"
    path.write_bytes(text.encode("latin-1"))
    df = read_csv_series(path, dayfirst=True)
    assert df.attrs["delimiter"] == ";" and df.attrs["decimal"] == ","
    assert df.index[0] == pd.Timestamp("2024-02-01") and df["Temperatura"].tolist() == [
        20.5,
        21.5,
        22.5,
    ]


def test_comma_csv_finds_time_column_and_regularises(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        "value,timestamp,label\n1.0,2024-01-01 00:00,a\n2.0,2024-01-01 01:00,b\n"
        "4.0,2024-01-01 03:00,c\n5.0,2024-01-01 04:00,d\n6.0,2024-01-01 05:00,e\n",
        encoding="utf-8",
    )
    df = read_csv_series(path, gap_limit=1)
    assert df.attrs["time_column"] == "timestamp" and df.attrs["dropped_columns"] == ["label"]
    assert df.attrs["freq"] == "h" and len(df) == 6
    np.testing.assert_allclose(df["value"], [1, 2, 3, 4, 5, 6])  # the missing hour filled


def test_errors_name_what_is_there(tmp_path):
    path = tmp_path / "n.csv"
    path.write_text("a,b\n1,2\n3,4\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"no(ne)? .*\['a', 'b'\]"):
        read_csv_series(path)
    with pytest.raises(ValueError, match=r"unknown time column 'when'; columns: \['a', 'b'\]"):
        read_csv_series(path, time_column="when")
    with pytest.raises(ValueError, match="is not UTF-8: invalid byte"):
        bad = tmp_path / "latin.csv"
        bad.write_bytes("data,valor\n2024-01-01,1\n2024-01-02,2\nação,3\n".encode("latin-1"))
        read_csv_series(bad, encoding="utf-8")


@pytest.mark.shared_data
def test_airline_and_etth1(shared_data):
    air = read_csv_series(shared_data / "classic-timeseries" / "airline-passengers.csv")
    assert len(air) == 144 and air.attrs["freq"] == "MS" and air["Passengers"].iloc[0] == 112
    ett = read_csv_series(shared_data / "ett-small" / "ETTh1.csv")
    assert ett.shape == (17420, 7) and ett.attrs["freq"] == "h"
