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
time (Brasília: UTC−3).
"""

from __future__ import annotations

import io
import logging
import re
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from rnnlab.data.gaps import regularise
from rnnlab.data.inmet_columns import UNITS, normalise, short_name
from rnnlab.data.reading import read_text
from rnnlab.data.shipped_data import resolve_path
from rnnlab.data.solar import solar_elevation

log = logging.getLogger(__name__)

MISSING = -9999.0  # INMET's missing-value code (besides empty fields)

_META_KEYS = {
    "regiao": "region",
    "uf": "state",
    "estacao": "station",
    "codigo wmo": "wmo_code",
    "latitude": "lat",
    "longitude": "lon",
    "altitude": "altitude",
    "data de fundacao": "founded",
}

# IANA time zone of each state (Brazil has had no summer time since 2019; the
# zone database keeps the earlier years right)
_STATE_TZ = {
    "AC": "America/Rio_Branco",
    "AM": "America/Manaus",
    "RR": "America/Boa_Vista",
    "RO": "America/Porto_Velho",
    "MT": "America/Cuiaba",
    "MS": "America/Campo_Grande",
    "PA": "America/Belem",
    "AP": "America/Belem",
    "TO": "America/Araguaina",
    "MA": "America/Fortaleza",
    "PI": "America/Fortaleza",
    "CE": "America/Fortaleza",
    "RN": "America/Fortaleza",
    "PB": "America/Fortaleza",
    "PE": "America/Recife",
    "AL": "America/Maceio",
    "SE": "America/Maceio",
    "BA": "America/Bahia",
}
_DEFAULT_TZ = "America/Sao_Paulo"  # DF, GO, the South-East and the South: UTC−3

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
    parts = [_read_one(p, encoding) for p in paths]
    meta = _merge_meta(parts)
    frame = pd.concat([f for f, _, _ in parts]).sort_index()
    duplicated = frame.index.duplicated(keep="first")
    if duplicated.any():
        log.warning("dropping %d duplicated hours (files overlap)", int(duplicated.sum()))
        frame = frame[~duplicated]
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

    frame, summary = regularise(frame, "h", gap_limit)
    frame.index.name = "time_utc"
    tz = local_tz or _STATE_TZ.get(str(meta.get("state") or "").upper(), _DEFAULT_TZ)
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


def _read_one(path: Path, encoding: str | None) -> tuple[pd.DataFrame, dict, dict[str, str]]:
    """One file -> (frame indexed by UTC, metadata, {short name: original header})."""
    lines = read_text(path, encoding).splitlines()
    lines = [line for line in lines if line.strip()]
    if not lines:
        raise ValueError(f"{path} is empty")
    first = normalise(lines[0].split(";")[0])
    meta: dict = {}
    if first.startswith("regiao"):
        header_at = next((i for i, line in enumerate(lines) if _is_header(line)), None)
        if header_at is None:
            raise ValueError(f"{path}: found INMET metadata but no 'Data;Hora UTC;...' header")
        meta = _parse_meta(lines[:header_at], path)
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
    table = pd.read_csv(
        io.StringIO("\n".join(lines[header_at:])), sep=";", dtype=str, keep_default_na=False
    )
    table = table.loc[:, [c for c in table.columns if c.strip() and not c.startswith("Unnamed")]]
    if len(table) == 0:
        raise ValueError(f"{path}: INMET header found but no data rows")
    index = _timestamps(table.iloc[:, 0], table.iloc[:, 1], path)
    columns: dict[str, np.ndarray] = {}
    names: dict[str, str] = {}
    for orig in table.columns[2:]:
        short = short_name(orig)
        if short in columns:
            raise ValueError(f"{path}: two columns map to {short!r} (second: {orig!r})")
        columns[short] = _numbers(table[orig], orig, path)
        names[short] = orig
    frame = pd.DataFrame(columns, index=index)
    return frame, meta, names


def _is_header(line: str) -> bool:
    """``Data;Hora UTC;…``, ``DATA (YYYY-MM-DD);HORA (UTC);…`` or ``"Data";"Hora (UTC)";…``."""
    fields = [normalise(f) for f in line.split(";")[:2]]
    return (
        len(fields) == 2
        and (fields[0] == "data" or fields[0].startswith("data yyyy"))
        and fields[1].startswith("hora")
    )


def _parse_meta(lines: list[str], path: Path) -> dict:
    meta: dict = {}
    for line in lines:
        key, _, value = line.partition(";")
        name = _META_KEYS.get(normalise(key))
        if name is None:
            continue
        value = value.strip().strip(";").strip()
        if name in ("lat", "lon", "altitude"):
            try:
                meta[name] = float(value.replace(",", "."))
            except ValueError:
                raise ValueError(
                    f"{path}: expected a number for {key.strip()}, got {value!r}"
                ) from None
        elif name == "founded":
            meta[name] = _iso_date(value)
        else:
            meta[name] = value
    return meta


def _iso_date(text: str) -> str:
    for fmt in ("%d/%m/%y", "%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return text


def _timestamps(dates: pd.Series, hours: pd.Series, path: Path) -> pd.DatetimeIndex:
    first = dates.iloc[0].strip()
    fmt = next((f for pattern, f in _DATE_FORMATS if pattern.match(first)), None)
    if fmt is None:
        raise ValueError(
            f"{path}: expected dates like 2024/01/01, 2019-01-01 or 05/04/2024, got {first!r}"
        )
    hhmm = hours.str.upper().str.replace("UTC", "", regex=False).str.replace(":", "", regex=False)
    hhmm = hhmm.str.strip().str.zfill(4)
    try:
        index = pd.to_datetime(dates.str.strip() + " " + hhmm, format=f"{fmt} %H%M", utc=True)
    except (ValueError, TypeError) as err:
        raise ValueError(f"{path}: could not read the date/hour columns: {err}") from None
    return pd.DatetimeIndex(index, name="time_utc")


def _numbers(raw: pd.Series, header: str, path: Path) -> np.ndarray:
    text = raw.str.strip().str.replace(",", ".", regex=False)
    values = pd.to_numeric(text.replace("", np.nan), errors="coerce")
    bad = text[values.isna() & (text != "")]
    if len(bad):
        raise ValueError(
            f"{path}: column {header!r} expected numbers with a decimal comma, "
            f"got {bad.iloc[0]!r} (row {bad.index[0] + 1} of the table)"
        )
    values = values.to_numpy(dtype=float, copy=True)
    values[values == MISSING] = np.nan
    return values


def _merge_meta(parts: list[tuple[pd.DataFrame, dict, dict[str, str]]]) -> dict:
    metas = [m for _, m, _ in parts if "wmo_code" in m]
    codes = sorted({m["wmo_code"] for m in metas})
    if len(codes) > 1:
        raise ValueError(f"expected files from one station, got stations {codes}")
    keys = ("region", "state", "station", "wmo_code", "lat", "lon", "altitude", "founded")
    merged = {k: None for k in keys}
    if metas:
        merged.update({k: v for k, v in metas[0].items() if k in keys})
    return merged
