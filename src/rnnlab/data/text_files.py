"""Decode a data file's bytes into text, detecting the encoding, with clear errors.

Files in the wild come as UTF-8 (portal exports, most CSVs) or Latin-1 (INMET
bulk files, older spreadsheets). Detection tries UTF-8 first — Latin-1 decodes
any byte sequence, so it can only be the fall-back — and a given encoding is
checked for the classic symptom of the wrong choice: UTF-8 read as Latin-1
turns "Ç" into "Ã\\x87".
"""

from __future__ import annotations

import re
from pathlib import Path

from rnnlab.data.shipped_data import resolve_path
from rnnlab.data.text.reading import read_bytes

__all__ = ["read_text", "resolve_path"]

_MOJIBAKE = re.compile("[\u00c2\u00c3][\u0080-\u00bf]")  # UTF-8 lead byte read as Latin-1


def read_text(path: str | Path, encoding: str | None = None) -> str:
    """The text of ``path`` (``.gz`` decompressed); ``encoding=None`` detects UTF-8 or Latin-1."""
    path = Path(path)
    raw = read_bytes(path)  # decompressed for .gz; clear errors for missing or corrupt files
    if not raw.strip():
        raise ValueError(f"{path} is empty")
    if b"\x00" in raw[:4096]:
        raise ValueError(
            f"{path}: expected a text file in UTF-8 or Latin-1, got NUL bytes "
            "(binary, or UTF-16: re-save it as UTF-8)"
        )
    if encoding is None:
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return raw.decode("latin-1")
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as err:
        raise ValueError(
            f"{path}: could not decode as {encoding} ({err.reason} at byte {err.start}); "
            "INMET bulk files are Latin-1 (encoding='latin-1'), portal exports UTF-8; "
            "leave the encoding out to detect it"
        ) from None
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}") from None
    latin = encoding.lower().replace("-", "").replace("_", "") in ("latin1", "iso88591", "cp1252")
    if latin and _MOJIBAKE.search(text[:20000]):
        raise ValueError(
            f"{path}: decoded as {encoding} but the text looks like UTF-8 "
            "('Ã' followed by a control character); use encoding='utf-8' or leave it out"
        )
    return text.lstrip("\ufeff")
