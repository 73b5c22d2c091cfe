"""Delimited text as a table of strings that knows the line of every row, and its numbers.

The series readers (``csv_series``, ``inmet``) go through :func:`split_rows` and
:func:`parse_numbers`, so malformed input fails here, named as what it is, with
the file, the line and the column:

* a row with more or fewer fields than the header (a *ragged* row), and a row
  separated by another delimiter than the file (``;`` rows in a ``,`` file);
* trailing delimiters (spreadsheet exports end every row with ``;``) are read as
  what they are: an empty last field, dropped;
* a text value in a numeric column, numbers with thousands separators
  (``1,234.5``, ``1.234,5``), and values that are not finite or lie beyond the
  float32 range models compute in (``inf``, ``1e308``).

A missing value (empty, ``NA``, ``NaN``, ``null`` …) is not an error: it is NaN,
and the gap logic (``gaps``) decides what to do with it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

DELIMITERS = ",;\t|"
MISSING = frozenset({"", "na", "n/a", "nan", "-nan", "null", "none", "<na>", "#n/a", "#na"})
_MISSING_CASED = MISSING | {m.upper() for m in MISSING} | {"NaN", "-NaN", "Null", "None", "NAN"}
FLOAT32_MAX = float(np.finfo(np.float32).max)  # models compute in float32: beyond it is inf
_THOUSANDS = re.compile(r"^[-+]?\d{1,3}([,.' ]\d{3})+([.,]\d+)?$")


@dataclass
class Rows:
    """The header and the rows of a delimited file; ``lines[i]`` is row i's line in the file."""

    header: list[str]
    rows: list[list[str]]
    lines: np.ndarray  # (rows,) 1-based line numbers

    def frame(self) -> pd.DataFrame:
        """The rows as a DataFrame of strings, one column per header field."""
        return pd.DataFrame(self.rows, columns=self.header, dtype=object)


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the header into the most columns and (nearly) every row
    of ``sample`` into as many; ``,`` when none does. (csv.Sniffer often picks the
    decimal comma of ``20,5;60`` rows.)"""
    best, best_score = ",", (False, 0)
    for delimiter in DELIMITERS:
        rows = [_trim(r, 0) for r in csv.reader(io.StringIO(sample), delimiter=delimiter)
                if any(f.strip() for f in r)]
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        agree = [len(_trim(r, width)) == width for r in rows[1:]] or [True]
        score = (sum(agree) >= 0.9 * len(agree), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def split_rows(text: str, delimiter: str, path: str | Path, *, first_line: int = 1) -> Rows:
    """Split ``text`` (header first) into rows of exactly as many fields as the header.

    ``first_line`` is the line number of the text's first line in the file (a
    header after metadata lines). Raises ``ValueError`` naming the file and line
    of the first ragged row, and the delimiter when a row uses another one.
    """
    raw_lines = text.split("\n")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=True)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    end = 0  # the line the previous record ended on
    try:
        for fields in reader:
            start, end = end + 1, reader.line_num
            if not any(f.strip() for f in fields):
                continue  # a blank line, or one of delimiters only
            line = reader.line_num + first_line - 1
            if header is None:
                header = _trim(fields, 0)
                _check_header(header, path, line)
                continue
            fields = _trim(fields, len(header))
            if len(fields) != len(header) and end > start:  # a record over several lines
                raise ValueError(f"{path}:{start + first_line - 1}: a quoted field opened on "
                                 f"this line runs to line {end + first_line - 1} (an unclosed "
                                 "'\"'?)")
            if len(fields) != len(header):
                raw = raw_lines[reader.line_num - 1] if reader.line_num <= len(raw_lines) else ""
                raise ValueError(_ragged(path, line, fields, header, raw, delimiter))
            rows.append(fields)
            lines.append(line)
    except csv.Error as err:
        raise ValueError(f"{path}:{reader.line_num + first_line - 1}: malformed row: {err}"
                         ) from None
    if header is None:
        raise ValueError(f"{path}: expected a header and data rows, got no header")
    return Rows(header, rows, np.asarray(lines, dtype=np.int64))


def _trim(fields: list[str], width: int) -> list[str]:
    """Drop empty fields after the last column (trailing delimiters)."""
    fields = [f.strip() for f in fields]
    while len(fields) > max(width, 1) and fields[-1] == "":
        fields.pop()
    return fields


def _check_header(header: list[str], path: str | Path, line: int) -> None:
    named = [h for h in header if h]
    twice = sorted({h for h in named if named.count(h) > 1})
    if twice:
        raise ValueError(f"{path}:{line}: the header names column(s) {twice} more than once")


def _ragged(path, line: int, fields: list[str], header: list[str], raw: str,
            delimiter: str) -> str:
    width = len(header)
    message = (f"{path}:{line}: expected {width} fields like the header, got {len(fields)}: "
               f"{raw.strip()[:80]!r}")
    for other in DELIMITERS:
        if other != delimiter and len(_trim(raw.split(other), width)) == width:
            return (f"{message}; this row is separated by {other!r} but the file by "
                    f"{delimiter!r} (mixed delimiters)")
    if len(fields) < width:
        return f"{message} (a ragged row: {width - len(fields)} field(s) missing)"
    return (f"{message} (a ragged row: {len(fields) - width} field(s) too many; a decimal "
            f"comma in a {delimiter!r}-separated file needs quotes)")


def parse_numbers(values: pd.Series, decimal: str = ".") -> tuple[np.ndarray, np.ndarray]:
    """Stripped strings (as ``split_rows`` gives them) -> (float values, NaN where missing or
    unreadable; mask of the unreadable ones)."""
    text = [str(v) for v in values.tolist()]
    if decimal == ",":
        text = [v.replace(",", ".") for v in text]
    missing = np.fromiter((v in _MISSING_CASED for v in text), bool, len(text))
    clean = np.where(missing, "nan", np.asarray(text, dtype=object))
    try:  # numpy's parser is fast and reads every well-formed number
        numbers = clean.astype(float)
    except ValueError:  # some value is not a number: find which
        numbers = pd.to_numeric(pd.Series(clean), errors="coerce").to_numpy(dtype=float,
                                                                             copy=True)
    bad = np.isnan(numbers) & ~missing
    return numbers, bad


def looks_thousands(values: pd.Series) -> bool:
    """Most of ``values`` look like numbers written with thousands separators."""
    text = values.astype(str).str.strip()
    return bool(len(text)) and float(text.str.match(_THOUSANDS).mean()) > 0.5


def check_numbers(numbers: np.ndarray, bad: np.ndarray, raw: pd.Series, column: str,
                  where: np.ndarray, decimal: str = ".") -> None:
    """Refuse unreadable, non-finite or out-of-range values of a numeric column.

    ``where[i]`` says where row i came from (``"file.csv:12"``).
    """
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        count = int(bad.sum())
        more = f" (and {count - 1} more)" if count > 1 else ""
        value = str(raw.iloc[i]).strip()
        if looks_thousands(raw[bad]):
            raise ValueError(
                f"{where[i]}: column {column!r} holds {value!r}{more}, a number with a "
                f"thousands separator (decimal mark {decimal!r}); write numbers without "
                "thousands separators")
        raise ValueError(f"{where[i]}: column {column!r} expected a number, got the text "
                         f"{value!r}{more}")
    finite = np.isfinite(numbers) | np.isnan(numbers)
    big = ~finite | (np.abs(np.where(finite, numbers, 0.0)) > FLOAT32_MAX)
    if big.any():
        i = int(np.flatnonzero(big)[0])
        count = int(big.sum())
        more = f" (and {count - 1} more)" if count > 1 else ""
        what = ("not a finite number" if not np.isfinite(numbers[i]) else
                f"beyond the float32 range (±{FLOAT32_MAX:.3g}) models compute in")
        raise ValueError(f"{where[i]}: column {column!r} holds {str(raw.iloc[i]).strip()!r}, "
                         f"{what}{more}; leave a value empty for 'missing'")


def origins(path: str | Path, lines: np.ndarray) -> np.ndarray:
    """``"path:line"`` for every row, for messages."""
    return np.asarray([f"{path}:{n}" for n in lines.tolist()], dtype=object)
