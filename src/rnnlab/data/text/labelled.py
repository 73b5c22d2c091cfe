"""Labelled text for classification: CSV/TSV ``text,label``, folder-per-class, SST trees.

Layouts read (each file UTF-8, ``.gz`` ok):

* **CSV / TSV** with a header: the text and label columns by name
  (``text_column``, ``label_column``; Tweets_Mg: ``Text`` and ``Classificacao``);
  quoted multi-line fields are fine (pandas' parser).
* **a folder of class files** ``<Class>.txt``, one item per line (the PyTorch
  tutorial's ``names/Arabic.txt`` …): the class is the file name.
* **a folder of class folders** ``<class>/*.txt``: each file is one item.
* **SST trees** (``.txt`` whose lines start with ``(``): see :mod:`sst`.
* **a folder with split files** ``train.* / dev.* (valid.*) / test.*`` of one of
  the file layouts above: the given splits are kept (SST's official split).

Rows whose text or label is empty are dropped and counted (``LabelledTexts.empty``).
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from rnnlab.data.reading import read_lines, read_text
from rnnlab.data.shipped_data import resolve_path
from rnnlab.data.text.corpus import find_split_files, split_name
from rnnlab.data.text.distinct import KeySplit, split_by_key
from rnnlab.data.text.sst import SST2, SST5, read_sst

FORMATS = ("auto", "csv", "tsv", "sst", "folder")
_NOT_CLASSES = ("license", "readme", "source", "notice")  # documents beside class files
LABELLED_SUFFIXES = (".csv", ".tsv", ".txt")


@dataclass
class LabelledTexts:
    """Texts with their labels, where each came from, and what was dropped while reading."""

    texts: list[str]
    labels: list[str]
    origins: list[str]  # "file:line" (or "file:row N" for CSV) of each item
    source: str  # the file or folder read
    empty: int = 0  # rows dropped: empty text or empty label
    classes: list[str] = field(default_factory=list)  # the label order the source defines

    def __len__(self) -> int:
        return len(self.texts)


def detect_format(path: Path) -> str:
    """csv, tsv, sst or folder, from the path (an SST file's first line starts with '(')."""
    if path.is_dir():
        return "folder"
    name = path.name[:-3] if path.name.endswith(".gz") else path.name
    if name.endswith(".csv"):
        return "csv"
    if name.endswith(".tsv"):
        return "tsv"
    first = read_text(path).lstrip()[:1]
    if first == "(":
        return "sst"
    raise ValueError(f"cannot tell the format of {path}: expected a .csv or .tsv file with a "
                     "header, an SST tree file (lines starting with '('), or a folder; set "
                     "[data] format")


def given_splits(path: str | Path) -> dict[str, Path] | None:
    """``{split: file}`` when ``path`` is a folder of train/dev/test files, else None."""
    path = resolve_path(path)
    if not path.is_dir():
        return None
    has_split_files = any(p.is_file() and split_name(p.name, LABELLED_SUFFIXES) is not None
                          for p in path.iterdir())
    return find_split_files(path, suffixes=LABELLED_SUFFIXES) if has_split_files else None


def read_labelled(path: str | Path, format: str = "auto", *, text_column: str = "text",
                  label_column: str = "label", sst_classes: int = 5,
                  sst_phrases: bool = False) -> LabelledTexts:
    """The labelled items of one file or class folder (see the module docstring)."""
    if format not in FORMATS:
        raise ValueError(f"expected format in {FORMATS}, got {format!r}")
    path = resolve_path(path)
    if not path.exists():
        raise FileNotFoundError(f"labelled data not found: {path}")
    kind = detect_format(path) if format == "auto" else format
    if kind == "folder":
        return read_class_folder(path)
    if kind == "sst":
        texts, labels, origins = read_sst(path, sst_classes, sst_phrases)
        return LabelledTexts(texts, labels, origins, str(path),
                             classes=list(SST5 if sst_classes == 5 else SST2))
    return read_labelled_csv(path, text_column, label_column, "\t" if kind == "tsv" else ",")


def read_labelled_csv(path: str | Path, text_column: str = "text", label_column: str = "label",
                      delimiter: str = ",") -> LabelledTexts:
    """The ``text_column`` and ``label_column`` of a CSV/TSV file with a header row."""
    import pandas as pd

    path = Path(path)
    try:
        frame = pd.read_csv(io.StringIO(read_text(path)), sep=delimiter, dtype=str,
                            keep_default_na=False)
    except pd.errors.ParserError as err:
        raise ValueError(f"{path}: not a valid {'TSV' if delimiter == chr(9) else 'CSV'} "
                         f"file: {err}") from None
    missing = [c for c in (text_column, label_column) if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: no column(s) {missing}; the header has "
                         f"{list(frame.columns)[:20]} (set [data] text_column / label_column)")
    texts, labels, origins, empty = [], [], [], 0
    for row, (text, label) in enumerate(zip(frame[text_column], frame[label_column],
                                            strict=True), start=2):
        text, label = text.strip(), label.strip()
        if not text or not label:
            empty += 1
            continue
        texts.append(text)
        labels.append(label)
        origins.append(f"{path}:row {row}")
    return LabelledTexts(texts, labels, origins, str(path), empty, sorted(set(labels)))


def read_class_folder(folder: str | Path) -> LabelledTexts:
    """``<Class>.txt`` files (one item a line) or ``<class>/`` folders (one item a file)."""
    folder = Path(folder)
    subfolders = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith(
        (".txt", ".txt.gz")) and p.name.split(".")[0].lower() not in _NOT_CLASSES)
    texts, labels, origins, empty = [], [], [], 0
    if subfolders:
        for sub in subfolders:
            for item in sorted(p for p in sub.iterdir() if p.is_file()):
                text = read_text(item).strip()
                texts.append(" ".join(text.split()))
                labels.append(sub.name)
                origins.append(str(item))
    elif files:
        for file in files:
            label = file.name.removesuffix(".gz").removesuffix(".txt")
            for number, line in enumerate(read_lines(file, keep_empty=True), start=1):
                if not line.strip():
                    empty += 1
                    continue
                texts.append(line.strip())
                labels.append(label)
                origins.append(f"{file}:{number}")
    classes = sorted(set(labels))
    if len(classes) < 2:
        raise ValueError(f"{folder}: expected a folder per class or a <Class>.txt file per class "
                         f"(at least 2 classes), found {classes or 'none'}")
    return LabelledTexts(texts, labels, origins, str(folder), empty, classes)


class Labelled(NamedTuple):
    text: str
    label: str


def load_labelled_folder(path: str | Path, *, valid: float = 0.1, test: float = 0.1,
                         seed: int = 0) -> KeySplit[Labelled]:
    """A class folder (:func:`read_class_folder`) split by distinct text, *every* label kept:
    a text under two labels ("Abel" is German and French) lands in one split with both —
    what a generator conditioned on the label needs (a classifier resolves such conflicts
    instead: :func:`rnnlab.data.text.distinct.split_rows`). Notes: texts with several labels."""
    folder = resolve_path(path)
    if (folder / "names").is_dir():  # the tutorial's download: data/names/<Language>.txt
        folder = folder / "names"
    read = read_class_folder(folder)
    items = [Labelled(t, lab) for t, lab in zip(read.texts, read.labels, strict=True)]
    labels: dict[str, set[str]] = defaultdict(set)
    for item in items:
        labels[item.text].add(item.label)
    split = split_by_key(items, key=lambda item: item.text, valid=valid, test=test, seed=seed)
    split.notes = {"texts with more than one label (kept, in one split)":
                   sum(len(v) > 1 for v in labels.values())}
    return split
