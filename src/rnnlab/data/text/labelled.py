"""Labelled short texts from a folder of ``<Label>.txt`` files, one item per line.

The layout of the PyTorch tutorial's surnames (``../shared/data/pytorch-tutorial-names/
names/Portuguese.txt`` …, 18 languages, 20,075 lines): the label is the file's
name. :func:`load_labelled_folder` reads them and splits **by distinct text**
(a surname found in two languages — "Abel" is German and French — lands in
one split with both labels), counting exact repeats (same text, same label)
and texts that carry more than one label.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

from rnnlab.data.distinct_split import KeySplit, split_by_key
from rnnlab.data.reading import read_lines


class Labelled(NamedTuple):
    text: str
    label: str


def read_labelled_folder(path: str | Path, suffix: str = ".txt") -> list[Labelled]:
    """Every non-blank line of every ``<label><suffix>`` file in ``path`` (or ``path/names``)."""
    folder = Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(f"expected a folder of <Label>{suffix} files, got {folder}")
    files = sorted(folder.glob(f"*{suffix}")) or sorted((folder / "names").glob(f"*{suffix}"))
    if not files:
        raise FileNotFoundError(f"no *{suffix} files in {folder} (nor in {folder / 'names'})")
    return [Labelled(line.strip(), f.stem) for f in files for line in read_lines(f)]


def load_labelled_folder(path: str | Path, *, valid: float = 0.1, test: float = 0.1,
                         seed: int = 0) -> KeySplit[Labelled]:
    """Read and split by distinct text; notes: texts with several labels."""
    items = read_labelled_folder(path)
    labels: dict[str, set[str]] = defaultdict(set)
    for item in items:
        labels[item.text].add(item.label)
    split = split_by_key(items, key=lambda item: item.text, valid=valid, test=test, seed=seed)
    split.notes = {"texts with more than one label (kept, in one split)":
                   sum(len(v) > 1 for v in labels.values())}
    return split
