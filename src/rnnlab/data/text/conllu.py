"""Sentences from CoNLL-U files (Universal Dependencies): token lists, and tokens with tags.

A CoNLL-U sentence is a block of token lines (10 tab-separated columns) ended by
a blank line, with ``#`` comment lines before it. A multiword token such as
Portuguese "das" appears as a range line ``4-5 das`` followed by its syntactic
words ``4 de`` and ``5 as``. For language modelling we usually want the text as
written ("surface" tokens: ``das``); parsers and taggers want the syntactic words
(``de as``: UPOS belongs to them, and UD scores taggers on them). Empty nodes
(ids like ``8.1``) are never part of the text.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from rnnlab.data.reading import read_text

_UNITS = ("surface", "syntactic")
# the CoNLL-U columns, in order (https://universaldependencies.org/format.html)
COLUMNS = ("id", "form", "lemma", "upos", "xpos", "feats", "head", "deprel", "deps", "misc")


def _sentences(path: Path, units: str) -> Iterator[list[list[str]]]:
    """The sentences of a CoNLL-U file as lists of token rows (10 columns each).

    ``units="surface"``: a multiword token's range line stands for its parts;
    ``"syntactic"``: the parts stand, the range line is skipped.
    """
    if units not in _UNITS:
        raise ValueError(f"expected units in {_UNITS}, got {units!r}")
    current: list[list[str]] = []
    skip_until = 0  # last id covered by the current multiword token (surface mode)
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            if current:
                yield current
            current, skip_until = [], 0
            continue
        if line.startswith("#"):
            continue
        columns = line.split("\t")
        if len(columns) != len(COLUMNS):
            raise ValueError(
                f"{path}:{number}: expected 10 tab-separated CoNLL-U columns, "
                f"got {len(columns)}: {line[:60]!r}"
            )
        token_id = columns[0]
        if "." in token_id:  # empty node: not in the text
            continue
        if "-" in token_id:  # multiword token "4-5"
            first, _, last = token_id.partition("-")
            if not (first.isdigit() and last.isdigit()):
                raise ValueError(f"{path}:{number}: bad multiword id {token_id!r}")
            if units == "surface":
                current.append(columns)
                skip_until = int(last)
            continue
        if not token_id.isdigit():
            raise ValueError(f"{path}:{number}: expected an integer token id, got {token_id!r}")
        if units == "surface" and int(token_id) <= skip_until:
            continue
        current.append(columns)
    if current:
        yield current


def read_conllu_sentences(path: str | Path, units: str = "surface") -> list[list[str]]:
    """The sentences of a CoNLL-U file (``.gz`` ok) as lists of token forms.

    ``units="surface"`` keeps multiword tokens as written (``das``) and drops
    their parts; ``units="syntactic"`` keeps the parts (``de``, ``as``).
    """
    path = Path(path)
    sentences = [[row[1] for row in rows] for rows in _sentences(path, units)]
    if not sentences:
        raise ValueError(f"{path} holds no CoNLL-U sentences (no token lines found)")
    return sentences


def read_conllu_tagged(path: str | Path, column: str = "upos"
                       ) -> list[tuple[list[str], list[str]]]:
    """(forms, tags) per sentence of a CoNLL-U file, the tags from ``column`` ("upos",
    "xpos", "deprel", …), over syntactic words (UPOS belongs to ``de`` and ``as``, not ``das``).
    """
    if column not in COLUMNS[2:]:
        raise ValueError(f"expected a tag column in {list(COLUMNS[2:])}, got {column!r}")
    path = Path(path)
    index = COLUMNS.index(column)
    tagged = [([row[1] for row in rows], [row[index] for row in rows])
              for rows in _sentences(path, "syntactic")]
    if not tagged:
        raise ValueError(f"{path} holds no CoNLL-U sentences (no token lines found)")
    return tagged
