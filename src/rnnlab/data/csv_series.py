"""Read any CSV with a time column into a time-indexed numeric DataFrame.

Delimiter (``,`` ``;`` tab ``|``), decimal mark (``.`` or ``,``) and encoding
(UTF-8 or Latin-1) are detected unless given. The time column is the one named
like a time (``date``, ``time``, ``timestamp``, ``datetime``, ``month``,
``data``…) or else the first column whose values all parse as dates. When the
step is regular (``pd.infer_freq`` or ``freq=``) the series is re-indexed so
every step exists and short gaps are filled (see ``gaps``). Non-numeric
columns are dropped and listed in ``.attrs["dropped_columns"]``.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import warnings
from pathlib import Path

import pandas as pd

from rnnlab.data.gaps import infer_step, regularise
from rnnlab.data.reading import read_text

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
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    if decimal is None:
        decimal = "," if delimiter != "," and _looks_decimal_comma(sample, delimiter) else "."
    table = pd.read_csv(io.StringIO(text), sep=delimiter, decimal=decimal, skipinitialspace=True)
    table = table.loc[:, [c for c in table.columns if not str(c).startswith("Unnamed")]]
    if table.empty:
        raise ValueError(f"{path}: expected a header and data rows, got no data rows")
    name = time_column or _find_time_column(table, dayfirst)
    parts = _date_parts(table) if name is None else None
    if parts:
        # year, month, day (and hour) in separate columns, as in the UCI Beijing PM2.5 file
        table = table.assign(
            time=pd.to_datetime(
                table[parts].set_axis(["year", "month", "day", "hour"][: len(parts)], axis=1)
            )
        ).drop(columns=parts)
        name = "time"
    if name is None:
        raise ValueError(
            f"{path}: expected a time column, found none among {list(table.columns)}; "
            "pass time_column="
        )
    if name not in table.columns:
        raise ValueError(f"{path}: unknown time column {name!r}; columns: {list(table.columns)}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "could not infer format"
            index = pd.DatetimeIndex(pd.to_datetime(table[name], dayfirst=dayfirst), name=name)
    except (ValueError, TypeError) as err:
        raise ValueError(f"{path}: column {name!r} does not hold dates: {err}") from None
    frame = table.drop(columns=[name]).set_index(index)
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    dropped = [str(c) for c in frame.columns if c not in numeric]
    if dropped:
        log.info("%s: dropping non-numeric columns %s", path, dropped)
    frame = frame[numeric].astype(float)
    if not numeric:
        raise ValueError(f"{path}: expected numeric columns besides {name!r}, got {dropped}")
    frame = frame[~frame.index.duplicated(keep="first")].sort_index()
    freq = freq or infer_step(frame.index)
    summary = None
    if freq is not None:
        frame, summary = regularise(frame, freq, gap_limit)
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


def _date_parts(table: pd.DataFrame) -> list[str]:
    lower = {str(c).strip().lower(): c for c in table.columns}
    if not all(k in lower for k in ("year", "month", "day")):
        return []
    return [lower[k] for k in ("year", "month", "day", "hour") if k in lower]


def _looks_decimal_comma(sample: str, delimiter: str) -> bool:
    fields = [
        f.strip().strip('"') for line in sample.splitlines()[1:] for f in line.split(delimiter)
    ]
    return any(_COMMA_NUMBER.match(f) for f in fields)


def _find_time_column(table: pd.DataFrame, dayfirst: bool) -> str | None:
    text_columns = [c for c in table.columns if not pd.api.types.is_numeric_dtype(table[c])]
    named = [c for c in text_columns if _TIME_NAMES.match(str(c).strip())]
    for column in named + [c for c in text_columns if c not in named]:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # "could not infer format"
                pd.to_datetime(table[column].head(20), dayfirst=dayfirst)
        except (ValueError, TypeError):
            continue
        return column
    return None
