"""Reading data files as text: one function, with errors that name the file and the byte.

Every reader (corpora, CoNLL-U, agreement sets, INMET, CSV) goes through
:func:`read_text`, so an empty file, a file in another encoding, NUL bytes or a
corrupt ``.gz`` fail here with a message that says which file and where,
instead of as a stray ``UnicodeDecodeError`` deep in training.

Encodings: ``"utf-8"`` (the default, strict), ``None`` to detect UTF-8 or
Latin-1 (INMET bulk files and older spreadsheets are Latin-1; UTF-8 is tried
first because Latin-1 decodes any byte sequence), or any codec name. A Latin
codec is checked for the classic symptom of the wrong choice: UTF-8 read as
Latin-1 turns "Ç" into "Ã\\x87".
"""

from __future__ import annotations

import gzip
import re
import unicodedata
import zlib
from pathlib import Path

_BOM = "\ufeff"
_MOJIBAKE = re.compile("[\u00c2\u00c3][\u0080-\u00bf]")  # a UTF-8 lead byte read as Latin-1
_LATIN = ("latin1", "iso88591", "cp1252")


def read_bytes(path: str | Path) -> bytes:
    """The raw (decompressed, for ``.gz``) bytes of a file."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"file not found: {path}")
    if path.is_dir():
        raise ValueError(f"expected a file, got the folder {path}")
    try:
        raw = path.read_bytes()
    except PermissionError:
        raise PermissionError(f"cannot read {path}: permission denied") from None
    if path.suffix.lower() == ".gz":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as err:
            raise ValueError(f"{path} is not a valid gzip file: {err}") from None
    return raw


def read_text(path: str | Path, encoding: str | None = "utf-8", *,
              normalize: str | None = "NFC") -> str:
    """The text of a file (``.gz`` decompressed), Unicode-normalised.

    NFC normalisation makes "é" typed as one code point and "e" + combining
    acute accent the same token, so Portuguese words count once in a vocabulary.
    Raises ``ValueError`` for a file that is empty (only whitespace), holds NUL
    bytes (binary, or UTF-16) or does not decode, naming the file and the byte.
    """
    path = Path(path)
    raw = read_bytes(path)
    if b"\x00" in raw[:4096]:
        raise ValueError(f"{path}: expected a text file, got NUL bytes (binary, or UTF-16: "
                         "re-save it as UTF-8)")
    text = _decode(raw, path, encoding).removeprefix(_BOM)
    if not text.strip():
        raise ValueError(f"{path} is empty: expected text, got {len(raw)} byte(s) of none")
    return unicodedata.normalize(normalize, text) if normalize else text


def _decode(raw: bytes, path: Path, encoding: str | None) -> str:
    if encoding is None:  # detect: UTF-8, else Latin-1 (which decodes anything)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("latin-1")
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as err:
        bad = raw[err.start : err.start + 1].hex()
        where = " (offset in the decompressed data)" if path.suffix == ".gz" else ""
        hint = ("if it is Latin-1 (as INMET bulk files are), give encoding='latin-1' where the "
                "reader takes one, or convert it: iconv -f latin1 -t utf-8")
        name = "UTF-8" if encoding.lower().replace("-", "") == "utf8" else encoding
        raise ValueError(f"{path} is not {name}: invalid byte 0x{bad} at byte offset "
                         f"{err.start}{where}; {hint}") from None
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}") from None
    if encoding.lower().replace("-", "").replace("_", "") in _LATIN and _MOJIBAKE.search(
            text[:20000]):
        raise ValueError(f"{path}: decoded as {encoding} but the text looks like UTF-8 ('Ã' "
                         "followed by a control character); use encoding='utf-8' or leave it out")
    return text


def read_lines(path: str | Path, *, keep_empty: bool = False) -> list[str]:
    """The lines of a UTF-8 text file, without their line ends; blank lines dropped by default."""
    lines = read_text(path).splitlines()
    return lines if keep_empty else [line for line in lines if line.strip()]
