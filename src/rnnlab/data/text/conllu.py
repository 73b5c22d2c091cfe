"""Sentences from CoNLL-U files (Universal Dependencies), as token lists.

A CoNLL-U sentence is a block of token lines (10 tab-separated columns) ended by
a blank line, with ``#`` comment lines before it. A multiword token such as
Portuguese "das" appears as a range line ``4-5 das`` followed by its syntactic
words ``4 de`` and ``5 as``. For language modelling we usually want the text as
written ("surface" tokens: ``das``); parsers want the syntactic words
(``de as``). Empty nodes (ids like ``8.1``) are never part of the text.
"""

from __future__ import annotations

from pathlib import Path

from rnnlab.data.reading import read_text

_UNITS = ("surface", "syntactic")


def read_conllu_sentences(path: str | Path, units: str = "surface") -> list[list[str]]:
    """The sentences of a CoNLL-U file (``.gz`` ok) as lists of token forms.

    ``units="surface"`` keeps multiword tokens as written (``das``) and drops
    their parts; ``units="syntactic"`` keeps the parts (``de``, ``as``).
    """
    if units not in _UNITS:
        raise ValueError(f"expected units in {_UNITS}, got {units!r}")
    path = Path(path)
    sentences: list[list[str]] = []
    current: list[str] = []
    skip_until = 0  # last id covered by the current multiword token (surface mode)
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            if current:
                sentences.append(current)
            current, skip_until = [], 0
            continue
        if line.startswith("#"):
            continue
        columns = line.split("\t")
        if len(columns) != 10:
            raise ValueError(
                f"{path}:{number}: expected 10 tab-separated CoNLL-U columns, "
                f"got {len(columns)}: {line[:60]!r}"
            )
        token_id, form = columns[0], columns[1]
        if "." in token_id:  # empty node: not in the text
            continue
        if "-" in token_id:  # multiword token "4-5"
            first, _, last = token_id.partition("-")
            if not (first.isdigit() and last.isdigit()):
                raise ValueError(f"{path}:{number}: bad multiword id {token_id!r}")
            if units == "surface":
                current.append(form)
                skip_until = int(last)
            continue
        if not token_id.isdigit():
            raise ValueError(f"{path}:{number}: expected an integer token id, got {token_id!r}")
        if units == "surface" and int(token_id) <= skip_until:
            continue
        current.append(form)
    if current:
        sentences.append(current)
    if not sentences:
        raise ValueError(f"{path} holds no CoNLL-U sentences (no token lines found)")
    return sentences
