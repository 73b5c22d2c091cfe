"""Read INMET weather-station files into one hourly, UTC-indexed DataFrame.

Two formats, detected from the file itself:

1. the yearly "dados históricos" bulk files: 8 metadata lines (``REGIAO:;CO``
   … ``DATA DE FUNDACAO:;07/05/00``), then ``Data;Hora UTC;PRECIPITAÇÃO TOTAL,
   HORÁRIO (mm);…``; Latin-1; dates ``2024/01/01`` or ``2019-01-01``; hours
   ``0000 UTC`` (older years: ``00:00``);
2. the station table exported from the INMET portal: ``"Data";"Hora (UTC)";
   "Temp. Ins. (C)";…``; UTF-8; dates ``05/04/2024``; hours ``0000``.

Both: ``;``-separated, decimal comma, missing values empty or ``-9999``.
Columns get the short English names of ``inmet_columns`` (originals in
``.attrs["original_columns"]``), every hour between the first and the last
reading exists (see ``gaps``), and ``local_time`` holds the station's civil
time (Brasília: UTC−3). Station metadata: ``inmet_meta``.

A malformed file is named with its line (see ``table``): a ragged row, text or
``inf`` in a numeric column, an empty or unreadable date or hour, an hour that
repeats within one file (hours two files both hold are dropped with a warning:
the files overlap), an hour years away from the rest.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd

from rnnlab.data.gaps import regularise
from rnnlab.data.inmet_columns import UNITS, normalise, short_name
from rnnlab.data.inmet_meta import merge_meta, parse_meta, station_tz
from rnnlab.data.reading import read_text
from rnnlab.data.shipped_data import resolve_path
from rnnlab.data.solar import solar_elevation
from rnnlab.data.table import check_numbers, origins, parse_numbers, split_rows

log = logging.getLogger(__name__)

MISSING = -9999.0  # INMET's missing-value code (besides empty fields)

_DATE_FORMATS = (
    (re.compile(r"^\d{4}/\d{2}/\d{2}$"), "%Y/%m/%d"),
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "%Y-%m-%d"),
    (re.compile(r"^\d{2}/\d{2}/\d{4}$"), "%d/%m/%Y"),
)


def read_inmet(
    path_or_paths: str | Path | list[str | Path],
    *,
    encoding: str | None = None,
    gap_limit: int = 3,
    night_radiation_zero: bool = True,
    local_tz: str | None = None,
) -> pd.DataFrame:
    """Read one or several INMET files (or a folder of them) into one hourly series.

    Args:
        path_or_paths: a file, a folder (every ``*.csv``/``*.CSV``/``*.csv.gz`` in it),
            ``"shipped:inmet-a001-2024"`` (a year shipped with rnnlab) or a list of
            these; several yearly files concatenate in time order.
        encoding: None detects (UTF-8, else Latin-1); a given one is enforced.
        gap_limit: runs of at most this many missing hours are interpolated;
            longer ones stay NaN (masked).
        night_radiation_zero: radiation left empty while the sun is below the
            horizon becomes 0 (bulk files leave it empty at night, the portal writes 0).
        local_tz: time zone of ``local_time``; default from the station's state.

    Returns:
        DataFrame indexed by hourly UTC timestamps, numeric columns with short
        English names plus ``local_time``; ``.attrs`` holds the station metadata
        (region, state, station, wmo_code, lat, lon, altitude, founded),
        ``original_columns``, ``units``, ``files`` and the ``missing`` summary.
    """
    paths = _expand(path_or_paths)
    read = [_read_one(p, encoding) for p in paths]
    parts = [(f, m, n) for f, m, n, _ in read]
    meta = merge_meta(parts)
    frame = pd.concat([f for f, _, _ in parts])
    where = np.concatenate([w for *_, w in read])
    order = np.argsort(frame.index.asi8, kind="stable")
    frame, where = frame.iloc[order], where[order]
    duplicated = frame.index.duplicated(keep="first")
    if duplicated.any():  # each file's hours are unique (checked), so files overlap
        i = int(np.flatnonzero(duplicated)[0])
        log.warning("dropping %d hour(s) that two files both hold (files overlap; first: %s "
                    "repeats %s)", int(duplicated.sum()), where[i],
                    where[int(np.flatnonzero(frame.index == frame.index[i])[0])])
        frame, where = frame[~duplicated], where[~duplicated]
    original: dict[str, str] = {}
    for _, _, names in parts:
        for short, orig in names.items():
            original.setdefault(short, orig)
    order = [c for c in UNITS if c in frame.columns] + [c for c in frame.columns if c not in UNITS]
    frame = frame[order]

    zeroed = 0
    if night_radiation_zero and "radiation" in frame and meta.get("lat") is not None:
        night = solar_elevation(frame.index, meta["lat"], meta["lon"]) < 0.0
        blank = frame["radiation"].isna().to_numpy() & night
        frame.loc[blank, "radiation"] = 0.0
        zeroed = int(blank.sum())

    frame, summary = regularise(frame, "h", gap_limit, where=where)
    frame.index.name = "time_utc"
    tz = local_tz or station_tz(meta.get("state"))
    frame["local_time"] = frame.index.tz_convert(tz)

    frame.attrs.update(meta)
    frame.attrs.update(
        source="inmet",
        files=[str(p) for p in paths],
        formats=sorted({fmt for fmt in (m.get("format") for _, m, _ in parts) if fmt}),
        original_columns=original,
        units={c: UNITS.get(c, "") for c in frame.columns if c != "local_time"},
        missing=summary,
        gap_limit=gap_limit,
        night_radiation_zeroed=zeroed,
        local_tz=tz,
    )
    left = {c: s["left"] for c, s in summary.items() if s["left"]}
    log.info(
        "read %d hours (%s .. %s) from %d file(s); still missing after filling gaps <= %d h: %s",
        len(frame),
        frame.index[0],
        frame.index[-1],
        len(paths),
        gap_limit,
        left or "none",
    )
    return frame


def _expand(path_or_paths: str | Path | list[str | Path]) -> list[Path]:
    items = [path_or_paths] if isinstance(path_or_paths, (str, Path)) else list(path_or_paths)
    if not items:
        raise ValueError("expected at least one INMET file, got an empty list")
    paths: list[Path] = []
    for item in items:
        path = resolve_path(item)
        if path.is_dir():
            found = sorted(
                p for p in path.iterdir() if p.name.lower().endswith((".csv", ".csv.gz"))
            )
            if not found:
                raise FileNotFoundError(f"no .csv files in folder {path}")
            paths.extend(found)
        elif path.exists():
            paths.append(path)
        else:
            raise FileNotFoundError(f"INMET file not found: {path}")
    return paths


def _read_one(path: Path, encoding: str | None
              ) -> tuple[pd.DataFrame, dict, dict[str, str], np.ndarray]:
    """One file -> (frame indexed by UTC, metadata, {short name: original header}, where
    each row came from as ``"file:line"``)."""
    numbered = [(n, line) for n, line in enumerate(read_text(path, encoding).split("\n"), 1)
                if line.strip()]
    if not numbered:
        raise ValueError(f"{path} is empty")
    lines = [line for _, line in numbered]
    first = normalise(lines[0].split(";")[0])
    meta: dict = {}
    if first.startswith("regiao"):
        header_at = next((i for i, line in enumerate(lines) if _is_header(line)), None)
        if header_at is None:
            raise ValueError(f"{path}: found INMET metadata but no 'Data;Hora UTC;...' header")
        meta = parse_meta(lines[:header_at], path)
        meta["format"] = "bulk"
    elif _is_header(lines[0]):
        header_at = 0
        meta["format"] = "portal"
    else:
        raise ValueError(
            f"{path} is not an INMET file: expected 8 metadata lines starting with 'REGIAO:' "
            f"(bulk 'dados historicos' file) or a header starting with 'Data;Hora (UTC)' "
            f"(portal table), got first line {lines[0][:80]!r}"
        )
    at = numbered[header_at][0]  # the header's line in the file
    rows = split_rows("\n".join(line for n, line in numbered if n >= at), ";", path,
                      first_line=at)
    if not rows.rows:
        raise ValueError(f"{path}: INMET header found but no data rows")
    keep = [i for i, h in enumerate(rows.header) if h]
    table = rows.frame().iloc[:, keep]
    where = origins(path, rows.lines)
    index = _timestamps(table.iloc[:, 0], table.iloc[:, 1], where)
    columns: dict[str, np.ndarray] = {}
    names: dict[str, str] = {}
    for orig in table.columns[2:]:
        short = short_name(orig)
        if short in columns:
            raise ValueError(f"{path}: two columns map to {short!r} (second: {orig!r})")
        numbers, bad = parse_numbers(table[orig], decimal=",")
        numbers[numbers == MISSING] = np.nan
        check_numbers(numbers, bad, table[orig], orig, where, decimal=",")
        columns[short] = numbers
        names[short] = orig
    frame = pd.DataFrame(columns, index=index)
    repeated = frame.index.duplicated(keep="first")
    if repeated.any():  # within one file: not an overlap of files, a broken file
        i = int(np.flatnonzero(repeated)[0])
        j = int(np.flatnonzero(frame.index == frame.index[i])[0])
        raise ValueError(f"{where[i]}: the hour {frame.index[i]} repeats {where[j]} "
                         f"({int(repeated.sum())} repeated hour(s) in this file)")
    return frame, meta, names, where


def _is_header(line: str) -> bool:
    """``Data;Hora UTC;…``, ``DATA (YYYY-MM-DD);HORA (UTC);…`` or ``"Data";"Hora (UTC)";…``."""
    fields = [normalise(f) for f in line.split(";")[:2]]
    return (
        len(fields) == 2
        and (fields[0] == "data" or fields[0].startswith("data yyyy"))
        and fields[1].startswith("hora")
    )


def _timestamps(dates: pd.Series, hours: pd.Series, where: np.ndarray) -> pd.DatetimeIndex:
    """UTC hours from the date and hour columns; an empty or unreadable one names its line."""
    dates = dates.str.strip()
    first = dates.iloc[0]
    fmt = next((f for pattern, f in _DATE_FORMATS if pattern.match(first)), None)
    if fmt is None:
        raise ValueError(
            f"{where[0]}: expected dates like 2024/01/01, 2019-01-01 or 05/04/2024, got {first!r}"
        )
    hhmm = hours.str.upper().str.replace("UTC", "", regex=False).str.replace(":", "", regex=False)
    hhmm = hhmm.str.strip()
    hhmm = hhmm.where(~hhmm.str.fullmatch(r"\d{1,3}"), hhmm.str.zfill(4))  # "0" -> "0000"
    index = pd.to_datetime(dates + " " + hhmm, format=f"{fmt} %H%M", utc=True, errors="coerce")
    bad = index.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        more = f" ({int(bad.sum()) - 1} more such row(s))" if bad.sum() > 1 else ""
        date, hour = dates.iloc[i], hours.iloc[i].strip()
        what = ("an empty date" if not date else "an empty hour" if not hour else
                f"date {date!r} and hour {hour!r} that do not read as "
                f"{fmt.replace('%', '')} HHMM UTC")
        raise ValueError(f"{where[i]}: expected a date and an hour (like {dates.iloc[0]!r} "
                         f"and {hours.iloc[0].strip()!r}), got {what}{more}")
    return pd.DatetimeIndex(index, name="time_utc")
