"""Malformed series files fail named as what they are, with the file and the line.

Each case was read wrongly before (issue 16): a raw ParserError, "no time column",
a numeric column silently dropped ("unknown column" later), a short row filled by
interpolation, ``inf`` passed to training, 18 years of hours re-indexed from a
mistyped year, an empty INMET hour reported as "files overlap".
"""

from __future__ import annotations

import gzip
import logging
import time

import numpy as np
import pandas as pd
import pytest

from rnnlab.data.csv_series import read_csv_series
from rnnlab.data.gaps import check_span
from rnnlab.data.inmet import read_inmet
from rnnlab.data.shipped_data import resolve_path

ROWS = [f"2024-01-01 {h:02d}:00,{20 + h / 10:.1f},{60 + h}" for h in range(20)]
LINE7 = 5  # ROWS[5] is line 7 of the file (the header is line 1)


def _csv(tmp_path, rows=ROWS, header="time,temp,hum", name="s.csv"):
    path = tmp_path / name
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _with(row: str) -> list[str]:
    return [*ROWS[:LINE7], row, *ROWS[LINE7 + 1:]]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("2024-01-01 05:00,20.5", r"s.csv:7: expected 3 fields .* got 2.*ragged row: 1 field"),
        ("2024-01-01 05:00,20.5,65,7", r"s.csv:7: expected 3 fields .* got 4.*too many"),
        ("2024-01-01 05:00;20.5;65", r"s.csv:7: .*separated by ';' but the file by ','"),
        ("2024-01-01 05:00,abc,65", r"s.csv:7: column 'temp' expected a number, got the text "
                                    r"'abc'"),
        ("2024-01-01 05:00,inf,65", r"s.csv:7: column 'temp' holds 'inf', not a finite number"),
        ("2024-01-01 05:00,1e308,65", r"s.csv:7: column 'temp' holds '1e308', beyond the "
                                      r"float32 range"),
        ("2024-13-01 05:00,20.5,65", r"s.csv:7: time column 'time' expected a date like "
                                     r"'2024-01-01 00:00', got '2024-13-01 05:00'"),
        (",20.5,65", r"s.csv:7: time column 'time' expected a date .* got nothing"),
        ('2024-01-01 05:00,"20.5,65', r"s.csv:7: a quoted field opened on this line runs to "
                                      r"line 21 \(an unclosed '\"'\?\)"),
        ("2042-01-01 05:00,20.5,65", r"1 row\(s\) lie far after the other 19: .* to "
                                     r".*s.csv:7 \(2042-01-01 05:00:00\).*mistyped date"),
    ],
)
def test_a_bad_row_is_named_with_its_line(tmp_path, row, message):
    with pytest.raises(ValueError, match=message):
        read_csv_series(_csv(tmp_path, _with(row)))


def test_thousands_separators_are_named_not_dropped(tmp_path):
    rows = [f'2024-01-01 {h:02d}:00,{20 + h / 10:.1f},"1,0{h:02d}"' for h in range(20)]
    with pytest.raises(ValueError, match=r"s.csv:2: column 'hum' holds '1,000' \(and 19 more\), "
                                         r"a number with a thousands separator"):
        read_csv_series(_csv(tmp_path, rows))
    rows = [f"2024-01-01 {h:02d}:00;20,5;1.0{h:02d},5" for h in range(20)]
    with pytest.raises(ValueError, match=r"column 'hum' holds '1.000,5' .* thousands separator "
                                         r"\(decimal mark ','\)"):
        read_csv_series(_csv(tmp_path, rows, header="time;temp;hum"))


def test_trailing_delimiters_and_missing_values_read_as_what_they_are(tmp_path):
    rows = [r.replace(",", ";").replace(".", ",") + ";" for r in ROWS]  # a spreadsheet export
    df = read_csv_series(_csv(tmp_path, rows, header="time;temp;hum"))
    assert list(df.columns) == ["temp", "hum"] and df["temp"].iloc[3] == 20.3
    rows = _with("2024-01-01 05:00,,65")  # an empty value is missing, not an error
    df = read_csv_series(_csv(tmp_path, rows), gap_limit=0)
    assert np.isnan(df["temp"].iloc[5]) and df.attrs["missing"]["temp"]["missing"] == 1


def test_an_unnamed_date_column_is_the_time_and_repeated_times_are_named(tmp_path, caplog):
    df = read_csv_series(_csv(tmp_path, header=",temp,hum"))  # pandas' to_csv without a label
    assert len(df) == 20 and list(df.columns) == ["temp", "hum"]
    with caplog.at_level(logging.WARNING):
        read_csv_series(_csv(tmp_path, _with(ROWS[LINE7 - 1])))
    assert "line 7 repeats 2024-01-01 04:00:00 of line 6" in caplog.text


def test_a_mistyped_date_in_a_per_second_file_fails_before_reindexing(tmp_path):
    stamps = [str(t) for t in pd.date_range("2024-05-01", periods=4000, freq="s")]
    stamps[1500] = stamps[1500].replace("2024", "2000")  # 24 years of seconds: 5.6 GiB
    path = tmp_path / "s.csv"
    path.write_text("time,v\n" + "".join(f"{t},{i % 7}\n" for i, t in enumerate(stamps)))
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"lie far before .* from .*s.csv:1502 \(2000-05-01"):
        read_csv_series(path)
    assert time.perf_counter() - start < 5.0
    daily = pd.date_range("2024-01-01", periods=20, freq="D")  # read at the wrong step
    with pytest.raises(ValueError, match=r"1,641,601 steps of s for 20 rows read"):
        check_span(daily, "s")


def test_a_legitimate_gap_is_not_refused(tmp_path):
    index = pd.date_range("2024-01-01", periods=200, freq="h")
    check_span(index.delete(range(50, 150)), "h")  # 100 hours missing in the middle: fine
    check_span(index.append(pd.DatetimeIndex(["2024-01-16"])), "h")  # one reading a week on


def _inmet_lines() -> list[str]:
    path = next(p for p in resolve_path("shipped:inmet-a001-2024").iterdir()
                if p.name.upper().endswith(".CSV.GZ"))
    return gzip.decompress(path.read_bytes()).decode("latin-1").split("\n")[:60]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.replace("0400 UTC", ""), r"x.csv:14: .* got an empty hour"),
        (lambda r: r.replace("0400 UTC", "2500 UTC"), r"x.csv:14: .*hour '2500 UTC' that do "
                                                      r"not read"),
        (lambda r: ";" + r.split(";", 1)[1], r"x.csv:14: .* got an empty date"),
        (lambda r: r.rsplit(";", 3)[0], r"x.csv:14: expected 19 fields like the header, got 17"),
        (lambda r: r.replace(";0;", ";abc;", 1), r"x.csv:14: column 'PRECIPITA.* got the text"),
        (lambda r: r.replace(";0;", ";-inf;", 1), r"x.csv:14: column .* not a finite number"),
        (lambda r: r.replace("0400 UTC", "0300 UTC"), r"x.csv:14: the hour 2024-01-01 03:00:00"
                                                      r"\+00:00 repeats .*x.csv:13"),
        (lambda r: r.replace("2024/", "2042/"), r"lie far after the other .*x.csv:14"),
    ],
)
def test_a_bad_inmet_row_is_named_with_its_line(tmp_path, change, message):
    lines = _inmet_lines()
    lines[13] = change(lines[13])  # line 14: 2024/01/01 0400 UTC
    path = tmp_path / "x.csv"
    path.write_bytes("\n".join(lines).encode("latin-1"))
    with pytest.raises(ValueError, match=message):
        read_inmet(path)


def test_overlapping_inmet_files_name_the_overlap(tmp_path, caplog):
    lines = _inmet_lines()
    (tmp_path / "a.csv").write_bytes("\n".join(lines[:40]).encode("latin-1"))
    (tmp_path / "b.csv").write_bytes("\n".join(lines[:9] + lines[30:]).encode("latin-1"))
    with caplog.at_level(logging.WARNING):
        frame = read_inmet(tmp_path)
    assert len(frame) == 60 - 9  # lines 10..60 of the year: every hour once
    assert "dropping 10 hour(s) that two files both hold (files overlap; first: " in caplog.text
    assert "b.csv:10 repeats " in caplog.text and "a.csv:31" in caplog.text
