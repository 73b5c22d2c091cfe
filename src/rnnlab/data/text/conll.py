"""Tagged sentences from CoNLL files: one ``token … TAG`` line per token, blank lines between.

The CoNLL-2003 / LeNER-Br layout: whitespace-separated columns, the token first
and the tag in a fixed column (the last by default), a blank line after each
sentence, ``-DOCSTART-`` lines between documents. Every token line of a file
must have the same number of columns; one that does not is reported with the
file and line number (a space inside a token is the usual cause).
"""

from __future__ import annotations

from pathlib import Path

from rnnlab.data.reading import read_text

DOCSTART = "-DOCSTART-"


def read_conll_tagged(path: str | Path, tag_column: int = -1
                      ) -> list[tuple[list[str], list[str]]]:
    """(tokens, tags) per sentence of a CoNLL file (``.gz`` ok); tags from ``tag_column``."""
    path = Path(path)
    sentences: list[tuple[list[str], list[str]]] = []
    tokens: list[str] = []
    tags: list[str] = []
    width: tuple[int, int] | None = None  # (columns, line where that was set)
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        columns = line.split()
        if not columns or columns[0] == DOCSTART:
            if tokens:
                sentences.append((tokens, tags))
            tokens, tags = [], []
            continue
        if width is None:
            width = (len(columns), number)
            if len(columns) < 2:
                raise ValueError(f"{path}:{number}: expected a token and a tag separated by "
                                 f"whitespace, got one column: {line[:60]!r}")
            if not -len(columns) <= tag_column < len(columns) or tag_column in (0, -len(columns)):
                raise ValueError(f"{path}:{number}: tag column {tag_column} does not exist in a "
                                 f"line of {len(columns)} columns (column 0 is the token)")
        elif len(columns) != width[0]:
            raise ValueError(
                f"{path}:{number}: expected {width[0]} whitespace-separated columns (as on line "
                f"{width[1]}), got {len(columns)}: {line[:60]!r}"
            )
        tokens.append(columns[0])
        tags.append(columns[tag_column])
    if tokens:
        sentences.append((tokens, tags))
    if not sentences:
        raise ValueError(f"{path} holds no CoNLL sentences (no token lines found)")
    return sentences
