"""Parallel text: ``source<TAB>target[<TAB>…]`` files read, normalised, filtered and split.

The reference file is the manythings/Tatoeba TSV (``../shared/data/tatoeba-eng-fra``:
``English<TAB>French``, 167,130 pairs); any file with at least two tab-separated
columns works, extra columns (attribution) are ignored, and ``reverse`` swaps
the direction (the PyTorch tutorial translates French into English).

Two normalisations:

* ``"nfc"`` — the text as written (Unicode NFC): case, accents and punctuation
  kept; the tokenizer decides what a token is.
* ``"tutorial"`` — the PyTorch tutorial's ``normalizeString`` (2023 version):
  lower-case, accents stripped to ASCII, a space before ``.!?``, and every run
  of characters other than ``a–z ! ?`` replaced by one space (so "I'm" becomes
  "i m" and the full stop disappears).

Two filters, as in the tutorial: at most ``max_words`` whitespace words on each
side, and ``"tutorial-prefixes"``: the first column (English, in manythings
files), normalised as the tutorial does, starts with "i am", "he is", "you
are" … (with the 2023 normalisation this keeps 13,571 of the 167,130 pairs).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rnnlab.data.reading import read_text
from rnnlab.data.text.distinct import KeySplit, split_by_key

NORMALIZATIONS = ("nfc", "tutorial")
FILTERS = ("none", "tutorial-prefixes")
# the tutorial's eng_prefixes, matched on its normalised English text
TUTORIAL_PREFIXES = (
    "i am ", "i m ", "he is", "he s ", "she is", "she s ",
    "you are", "you re ", "we are", "we re ", "they are", "they re ",
)


@dataclass(frozen=True)
class Pair:
    """One sentence pair (after normalisation and the direction), and its line in the file."""

    source: str
    target: str
    line: int  # 1-based line number in the file (for messages)

    def __eq__(self, other: object) -> bool:  # a pair is its text: repeats on two lines are one
        return isinstance(other, Pair) and (self.source, self.target) == (other.source,
                                                                          other.target)

    def __hash__(self) -> int:
        return hash((self.source, self.target))


def tutorial_normalize(text: str) -> str:
    """The PyTorch tutorial's ``normalizeString``: "Je suis désolé." -> "je suis desole"."""
    s = "".join(c for c in unicodedata.normalize("NFD", text.lower().strip())
                if unicodedata.category(c) != "Mn")  # accents stripped
    s = re.sub(r"([.!?])", r" \1", s)
    s = re.sub(r"[^a-zA-Z!?]+", r" ", s)
    return s.strip()


def read_pairs(path: str | Path) -> list[tuple[str, str, int]]:
    """(first column, second column, line number) of every non-blank line of a TSV file."""
    rows = []
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        columns = line.split("\t")
        if len(columns) < 2 or not columns[0].strip() or not columns[1].strip():
            raise ValueError(f"{path}, line {number}: expected source<TAB>target (two non-empty "
                             f"tab-separated columns), got {line[:80]!r}")
        rows.append((columns[0].strip(), columns[1].strip(), number))
    return rows


def prepare_pairs(
    rows: Sequence[tuple[str, str, int]],
    *,
    normalize: str = "nfc",
    reverse: bool = False,
    max_words: int | None = None,
    filter: str = "none",
) -> tuple[list[Pair], dict[str, int]]:
    """Normalise, filter and orient the rows; the counts removed by each rule applied."""
    if normalize not in NORMALIZATIONS:
        raise ValueError(f"expected normalize in {NORMALIZATIONS}, got {normalize!r}")
    if filter not in FILTERS:
        raise ValueError(f"expected filter in {FILTERS}, got {filter!r}")
    kept: list[Pair] = []
    removed = {"removed by the prefix filter": 0, "removed by max_words": 0}
    for first, second, line in rows:
        if filter == "tutorial-prefixes" and not tutorial_normalize(first).startswith(
                TUTORIAL_PREFIXES):
            removed["removed by the prefix filter"] += 1
            continue
        if normalize == "tutorial":
            first, second = tutorial_normalize(first), tutorial_normalize(second)
        if max_words is not None and max(len(first.split()), len(second.split())) > max_words:
            removed["removed by max_words"] += 1
            continue
        kept.append(Pair(second, first, line) if reverse else Pair(first, second, line))
    applied = {"removed by the prefix filter": filter != "none",
               "removed by max_words": max_words is not None}
    return kept, {k: v for k, v in removed.items() if applied[k]}


def load_parallel(
    path: str | Path,
    *,
    normalize: str = "nfc",
    reverse: bool = False,
    max_words: int | None = None,
    filter: str = "none",
    valid: float = 0.05,
    test: float = 0.05,
    seed: int = 0,
) -> KeySplit[Pair]:
    """Read, prepare and split a parallel file **by distinct source sentence**.

    All translations of one source sentence land in the same split (they are its
    references at test time); exact duplicate pairs are removed and counted.
    """
    rows = read_pairs(path)
    pairs, removed = prepare_pairs(rows, normalize=normalize, reverse=reverse,
                                   max_words=max_words, filter=filter)
    if not pairs:
        raise ValueError(f"{path}: no sentence pair is left after the filters ({removed})")
    split = split_by_key(pairs, key=lambda p: p.source, valid=valid, test=test, seed=seed)
    split.notes = {"pairs in the file": len(rows), **removed}
    return split


def references(pairs: Sequence[Pair]) -> tuple[list[str], list[list[str]]]:
    """Distinct sources in first-seen order, and all targets of each (its references)."""
    refs: dict[str, list[str]] = {}
    for p in pairs:
        refs.setdefault(p.source, []).append(p.target)
    return list(refs), list(refs.values())
