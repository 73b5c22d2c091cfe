"""Reading text files: UTF-8 (plain or gzip), with errors that name the file and byte.

Every corpus reader goes through :func:`read_text`, so an empty file, a file in
another encoding, or a corrupt ``.gz`` fails here with a message that says which
file and where, instead of as a stray ``UnicodeDecodeError`` deep in training.
"""

from __future__ import annotations

import gzip
import unicodedata
import zlib
from pathlib import Path

_BOM = "\ufeff"


def read_bytes(path: str | Path) -> bytes:
    """The raw (decompressed, for ``.gz``) bytes of a file."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"text file not found: {path}")
    if path.is_dir():
        raise ValueError(f"expected a file, got the folder {path}")
    if path.suffix.lower() == ".gz":
        try:
            return gzip.decompress(path.read_bytes())
        except (OSError, EOFError, zlib.error) as err:
            raise ValueError(f"{path} is not a valid gzip file: {err}") from None
    return path.read_bytes()


def read_text(path: str | Path, *, normalize: str | None = "NFC") -> str:
    """The text of a UTF-8 file (``.gz`` decompressed), Unicode-normalised.

    NFC normalisation makes "é" typed as one code point and "e" + combining
    acute accent the same token, so Portuguese words count once in a vocabulary.
    Raises ``ValueError`` for a file that is empty (only whitespace) or not
    UTF-8, naming the file and the byte offset of the first bad byte.
    """
    path = Path(path)
    raw = read_bytes(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        bad = raw[err.start : err.start + 1].hex()
        where = " (offset in the decompressed data)" if path.suffix == ".gz" else ""
        raise ValueError(
            f"{path} is not UTF-8: invalid byte 0x{bad} at byte offset {err.start}{where}; "
            "convert it first, e.g. iconv -f latin1 -t utf-8"
        ) from None
    if text.startswith(_BOM):
        text = text[1:]
    if not text.strip():
        raise ValueError(f"{path} is empty: expected UTF-8 text, got {len(raw)} byte(s) of none")
    if normalize:
        text = unicodedata.normalize(normalize, text)
    return text


def read_lines(path: str | Path, *, keep_empty: bool = False) -> list[str]:
    """The lines of a text file, without their line ends; blank lines dropped by default."""
    lines = read_text(path).splitlines()
    return lines if keep_empty else [line for line in lines if line.strip()]
