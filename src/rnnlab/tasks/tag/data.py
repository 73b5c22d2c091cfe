"""Tagged sentences for a tag run: read (CoNLL / CoNLL-U), de-duplicated, split by sentence.

As for classification (:mod:`rnnlab.tasks.classify.data`): a sentence is one
item (its token sequence the key); data without a given split is de-duplicated
and split by distinct sentence; a given split keeps valid and test as published
and the training set loses repeats and any sentence valid or test hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rnnlab.data.shipped_data import resolve_path
from rnnlab.data.splits import SPLITS
from rnnlab.data.text.conll import read_conll_tagged
from rnnlab.data.text.conllu import read_conllu_tagged
from rnnlab.data.text.corpus import find_split_files
from rnnlab.data.text.distinct import clean_given_splits, overlap_count, split_rows
from rnnlab.tasks.tag.config import TagDataConfig

SUFFIXES = (".conll", ".conllu", ".txt", ".bio", ".iob")
Sentence = tuple[list[str], list[str]]  # (tokens, tags)


@dataclass
class TaggedSplits:
    sentences: dict[str, list[Sentence]]
    tags: list[str]
    summary: dict[str, Any] = field(default_factory=dict)


def read_tagged(path: str | Path, data: TagDataConfig) -> list[Sentence]:
    """The tagged sentences of one file, by ``[data] format`` (auto: .conllu or not)."""
    path = Path(path)
    kind = data.format
    if kind == "auto":
        kind = "conllu" if path.name.removesuffix(".gz").endswith(".conllu") else "conll"
    if kind == "conllu":
        return read_conllu_tagged(path, data.column)
    return read_conll_tagged(path, data.tag_column)


def read_tag_splits(data: TagDataConfig) -> TaggedSplits:
    path = resolve_path(data.path)
    if not path.exists():
        raise FileNotFoundError(f"[data] path: not found: {path}")
    if path.is_file():
        items = read_tagged(path, data)
        parts, summary = split_rows([tuple(t) for t, _ in items], [tuple(g) for _, g in items],
                                    conflicts=data.conflicts, valid_fraction=data.valid_fraction,
                                    test_fraction=data.test_fraction, seed=data.split_seed,
                                    stratify=False)
        return _finish(parts, {"source": str(data.path), **summary})
    files = find_split_files(path, suffixes=SUFFIXES)
    read = {s: read_tagged(file, data) for s, file in files.items()}
    parts, summary = clean_given_splits(
        {s: ([tuple(t) for t, _ in v], [tuple(g) for _, g in v]) for s, v in read.items()},
        conflicts=data.conflicts, valid_fraction=data.valid_fraction, seed=data.split_seed,
        stratify=False)
    summary["split"] = "given: " + ", ".join(f"{s} = {p.name}" for s, p in files.items())
    return _finish(parts, {"source": str(data.path), **summary})


def _finish(parts: dict[str, tuple[list, list]], summary: dict[str, Any]) -> TaggedSplits:
    sentences = {s: [(list(t), list(g)) for t, g in zip(*parts[s], strict=True)]
                 for s in SPLITS if parts.get(s) and parts[s][0]}
    if "train" not in sentences:
        raise ValueError(f"no training sentences in {summary['source']}")
    tags = sorted({t for split in sentences.values() for _, ts in split for t in ts},
                  key=lambda t: (t != "O", t))  # "O" first when present
    if len(tags) < 2:
        raise ValueError(f"expected at least 2 tags in {summary['source']}, got {tags}")
    summary["sizes"] = {s: len(v) for s, v in sentences.items()}
    summary["tokens"] = {s: sum(len(t) for t, _ in v) for s, v in sentences.items()}
    summary["in_two_splits"] = overlap_count({s: parts[s][0] for s in sentences})
    return TaggedSplits(sentences, tags, summary)
