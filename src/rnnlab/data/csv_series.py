"""Read any CSV with a time column into a time-indexed numeric DataFrame.

Delimiter (``,`` ``;`` tab ``|``), decimal mark (``.`` or ``,``) and encoding
(UTF-8 or Latin-1) are detected unless given. The time column is the one named
like a time (``date``, ``time``, ``timestamp``, ``datetime``, ``month``,
``data``…) or else the first column whose values all parse as dates. When the
step is regular (``pd.infer_freq`` or ``freq=``) the series is re-indexed so
every step exists and short gaps are filled (see ``gaps``). Text columns are
dropped and listed in ``.attrs["dropped_columns"]``.

Malformed input is named as what it is, with the file and line (see ``table``):
ragged rows, mixed delimiters, a text value in a numeric column, thousands
separators, ``inf`` or values beyond float32, a value of the time column that is
not a date, and timestamps that would re-index into mostly missing steps (a
mistyped year; see ``gaps.check_span``). Repeated timestamps keep their first row,
with a warning naming the lines.
"""

from __future__ import annotations

import logging
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from rnnlab.data.gaps import infer_step, regularise
from rnnlab.data.reading import read_text
from rnnlab.data.table import (
    MISSING,
    check_numbers,
    looks_thousands,
    origins,
    parse_numbers,
    sniff_delimiter,
    split_rows,
)

log = logging.getLogger(__name__)

_TIME_NAMES = re.compile(
    r"^(date|time|timestamp|datetime|date_?time|ds|month|day|year|data|hora|data_?hora|period)$",
    re.IGNORECASE,
)
_COMMA_NUMBER = re.compile(r"^-?\d*,\d+$")


def read_csv_series(
    path: str | Path,
    time_column: str | None = None,
    *,
    delimiter: str | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
    freq: str | None = None,
    gap_limit: int = 3,
    dayfirst: bool = False,
) -> pd.DataFrame:
    """A CSV file as a DataFrame indexed by its time column (numeric columns only).

    Args:
        time_column: name of the time column; None finds it.
        delimiter, decimal, encoding: None detects them.
        freq: the step (``"h"``, ``"D"``, ``"MS"`` …); None infers it, and an
            irregular series is then returned as it is (no re-indexing).
        gap_limit: runs of at most this many missing steps are interpolated.
        dayfirst: read ``05/04/2024`` as 5 April.
    """
    path = Path(path)
    text = read_text(path, encoding)
    sample = "\n".join(text.splitlines()[:50])
    if delimiter is None:
        delimiter = sniff_delimiter(sample)
    if decimal is None:
        decimal = "," if delimiter != "," and _looks_decimal_comma(sample, delimiter) else "."
    rows = split_rows(text, delimiter, path)
    if not rows.rows:
        raise ValueError(f"{path}: expected a header and data rows, got no data rows")
    header = [h or f"Unnamed: {i}" for i, h in enumerate(rows.header)]
    table = rows.frame().set_axis(header, axis=1)
    where = origins(path, rows.lines)
    parsed = {c: parse_numbers(table[c], decimal) for c in header}
    numeric = [c for c in header if _mostly_numbers(table[c], *parsed[c])]
    if time_column is not None and time_column not in header:
        raise ValueError(f"{path}: unknown time column {time_column!r}; columns: {header}")
    name = time_column or _find_time_column(table, numeric, dayfirst)
    parts = _date_parts(header) if name is None else []
    if name is not None:
        index = _times(table[name], name, name in numeric, dayfirst, where)
    elif parts:  # year, month, day (and hour) columns, as in the UCI Beijing PM2.5 file
        index = _times_from_parts(table, parts, parsed, where)
        name = "time"
    else:
        named = [c for c in header if _TIME_NAMES.match(c)]
        hint = (f"; column {named[0]!r} holds {table[named[0]].iloc[0]!r} ({where[0]}), not "
                "a date" if named else "; pass time_column=")
        raise ValueError(f"{path}: expected a time column, found none among {header}{hint}")
    values: dict[str, np.ndarray] = {}
    dropped: list[str] = []
    for column in header:
        if column == name or column in parts:
            continue
        numbers, bad = parsed[column]
        if column in numeric or looks_thousands(table[column][bad]):
            check_numbers(numbers, bad, table[column], column, where, decimal)
            values[column] = numbers
        elif not column.startswith("Unnamed: "):
            dropped.append(column)
    if dropped:
        log.info("%s: dropping text columns %s", path, dropped)
    if not values:
        raise ValueError(f"{path}: expected numeric columns besides {name!r}, got {dropped}")
    frame = pd.DataFrame(values, index=pd.DatetimeIndex(index, name=name))
    repeated = frame.index.duplicated(keep="first")
    if repeated.any():
        i = int(np.flatnonzero(repeated)[0])
        first = int(np.flatnonzero(frame.index == frame.index[i])[0])
        log.warning("%s: dropping %d row(s) whose time repeats an earlier row (first: line "
                    "%d repeats %s of line %d)", path, int(repeated.sum()), rows.lines[i],
                    frame.index[i], rows.lines[first])
        frame, where = frame[~repeated], where[~repeated]
    order = np.argsort(frame.index.asi8, kind="stable")
    frame, where = frame.iloc[order], where[order]
    freq = freq or infer_step(frame.index)
    summary = None
    if freq is not None:
        frame, summary = regularise(frame, freq, gap_limit, where=where)
    else:
        log.info("%s: irregular time steps; the series is not re-indexed", path)
    frame.attrs.update(
        source="csv",
        files=[str(path)],
        delimiter=delimiter,
        decimal=decimal,
        freq=freq,
        time_column=str(name),
        dropped_columns=dropped,
        gap_limit=gap_limit,
    )
    if summary is not None:
        frame.attrs["missing"] = summary
    return frame


def _mostly_numbers(raw: pd.Series, numbers: np.ndarray, bad: np.ndarray) -> bool:
    """A numeric column: some values read as numbers, and no more unreadable than readable."""
    read = int((~np.isnan(numbers)).sum())
    return read > 0 and read >= int(bad.sum())


def _date_parts(header: list[str]) -> list[str]:
    lower = {c.strip().lower(): c for c in header}
    if not all(k in lower for k in ("year", "month", "day")):
        return []
    return [lower[k] for k in ("year", "month", "day", "hour") if k in lower]


def _looks_decimal_comma(sample: str, delimiter: str) -> bool:
    fields = [
        f.strip().strip('"') for line in sample.splitlines()[1:] for f in line.split(delimiter)
    ]
    return any(_COMMA_NUMBER.match(f) for f in fields)


def _to_datetime(text: pd.Series, dayfirst: bool) -> pd.Series:
    """Dates, NaT where a value does not read as one; mixed UTC offsets become UTC."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "could not infer format"
        try:
            return pd.to_datetime(text, errors="coerce", dayfirst=dayfirst)
        except ValueError:  # "Mixed timezones detected": offsets given, so UTC is exact
            return pd.to_datetime(text, errors="coerce", dayfirst=dayfirst, utc=True)


def _find_time_column(table: pd.DataFrame, numeric: list[str], dayfirst: bool) -> str | None:
    """The column named like a time, else the first text column, whose values read as dates
    (four in five of its first 50 values: one bad value is then named, not the column lost)."""
    text_columns = [c for c in table.columns if c not in numeric]
    named = [c for c in text_columns if _TIME_NAMES.match(str(c).strip())]
    for column in named + [c for c in text_columns if c not in named]:
        head = table[column].head(50).astype(str).str.strip()
        head = head[~head.str.lower().isin(MISSING)]
        if len(head) and _to_datetime(head, dayfirst).notna().mean() >= 0.8:
            return column
    return None


def _times(raw: pd.Series, name: str, numeric: bool, dayfirst: bool,
           where: np.ndarray) -> pd.Series:
    text = raw.astype(str).str.strip()
    if numeric:  # a number is a date only as a year (1949); never as nanoseconds since 1970
        if not text.str.fullmatch(r"\d{4}").all():
            i = int(np.flatnonzero(~text.str.fullmatch(r"\d{4}").to_numpy())[0])
            raise ValueError(f"{where[i]}: time column {name!r} holds numbers, not dates "
                             f"(got {text.iloc[i]!r}); only four-digit years are read as dates")
        return pd.to_datetime(text, format="%Y")
    times = _to_datetime(text, dayfirst)
    bad = times.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        example = next((text.iloc[j] for j in range(len(text)) if not bad[j]), "")
        more = f" (and {int(bad.sum()) - 1} more)" if bad.sum() > 1 else ""
        got = f"{text.iloc[i]!r}" if text.iloc[i] else "nothing"
        raise ValueError(f"{where[i]}: time column {name!r} expected a date like {example!r}, "
                         f"got {got}{more}")
    return times


def _times_from_parts(table: pd.DataFrame, parts: list[str], parsed: dict,
                      where: np.ndarray) -> pd.Series:
    numbers = pd.DataFrame({k: parsed[c][0] for k, c in
                            zip(("year", "month", "day", "hour"), parts, strict=False)})
    times = pd.to_datetime(numbers, errors="coerce")
    bad = times.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        shown = ", ".join(f"{c}={table[c].iloc[i]!r}" for c in parts)
        raise ValueError(f"{where[i]}: columns {parts} do not make a date: {shown}")
    return times
