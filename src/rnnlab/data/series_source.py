"""Where a forecasting series comes from: a typed config and one loader for INMET and CSV.

``format = "auto"`` reads INMET files (bulk or portal, recognised by their
first line) with ``read_inmet`` and anything else with ``read_csv_series``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from rnnlab.data.csv_series import read_csv_series
from rnnlab.data.inmet import read_inmet
from rnnlab.data.reading import read_text
from rnnlab.data.shipped_data import resolve_path

FORMATS = ("auto", "inmet", "csv")


@dataclass(frozen=True)
class SeriesSource:
    path: tuple[str, ...] = ()  # files or folders (several INMET years concatenate)
    format: str = "auto"  # "auto" | "inmet" | "csv"
    time_column: str | None = None  # CSV only; None finds it
    delimiter: str | None = None  # CSV only; None detects
    decimal: str | None = None  # CSV only; None detects
    encoding: str | None = None  # None detects UTF-8 or Latin-1
    gap_limit: int = 3  # interpolate runs of at most this many missing steps
    first_rows: int | None = None  # keep only the first N rows (ETTh1 protocol: 14400)

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ValueError(f"unknown data format {self.format!r}; expected one of {FORMATS}")


def load_series(source: SeriesSource) -> pd.DataFrame:
    """The series ``source`` describes, indexed by time, numeric columns."""
    if not source.path:
        raise ValueError("expected a data path (data.path), got none")
    paths = [resolve_path(p) for p in source.path]
    fmt = source.format
    if fmt == "auto":
        fmt = "inmet" if _looks_inmet(paths[0], source.encoding) else "csv"
    if fmt == "inmet":
        frame = read_inmet(paths, encoding=source.encoding, gap_limit=source.gap_limit)
    else:
        if len(paths) != 1 or paths[0].is_dir():
            raise ValueError(f"expected one CSV file, got {[str(p) for p in paths]}")
        frame = read_csv_series(
            paths[0],
            source.time_column,
            delimiter=source.delimiter,
            decimal=source.decimal,
            encoding=source.encoding,
            gap_limit=source.gap_limit,
        )
    if source.first_rows is not None:
        attrs = dict(frame.attrs)
        frame = frame.iloc[: source.first_rows]
        frame.attrs.update(attrs)
    return frame


def _looks_inmet(path: Path, encoding: str | None) -> bool:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.name.lower().endswith((".csv", ".csv.gz")))
        if not files:
            raise FileNotFoundError(f"no .csv files in folder {path}")
        path = files[0]
    first = read_text(path, encoding).lstrip().split("\n", 1)[0].upper()
    return first.startswith("REGIAO") or first.replace('"', "").startswith("DATA;HORA")
