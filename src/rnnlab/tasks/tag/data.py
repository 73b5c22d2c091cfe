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
from rnnlab.data.text.conll import read_conll_tagged
from rnnlab.data.text.conllu import read_conllu_tagged
from rnnlab.data.text.corpus import find_split_files
from rnnlab.data.text.distinct import deduplicate, remove_overlap, split_distinct
from rnnlab.tasks.tag.config import TagDataConfig

SPLITS = ("train", "valid", "test")
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
    summary: dict[str, Any] = {"source": str(data.path)}
    if path.is_file():
        items = read_tagged(path, data)
        keys = [tuple(tokens) for tokens, _ in items]
        kept, taggings, report = deduplicate(keys, [tuple(t) for _, t in items], data.conflicts)
        summary.update(distinct=report.to_dict(), split="by distinct sentence "
                       f"(valid {data.valid_fraction}, test {data.test_fraction}, "
                       f"seed {data.split_seed})")
        parts = split_distinct(taggings, data.valid_fraction, data.test_fraction,
                               data.split_seed, stratify=False)
        sentences = {s: [(list(keys[kept[i]]), list(taggings[i])) for i in idx]
                     for s, idx in parts.items()}
        return _finish(sentences, summary)
    files = find_split_files(path, suffixes=SUFFIXES)
    summary["split"] = "given: " + ", ".join(f"{s} = {p.name}" for s, p in files.items())
    sentences = {}
    for split, file in files.items():
        items = read_tagged(file, data)
        keys = [tuple(tokens) for tokens, _ in items]
        policy = data.conflicts if split == "train" else "majority"
        kept, taggings, report = deduplicate(keys, [tuple(t) for _, t in items], policy)
        summary[f"{split}_distinct"] = report.to_dict()
        sentences[split] = ([(list(keys[i]), list(t)) for i, t in zip(kept, taggings,
                                                                         strict=True)]
                            if split == "train" else items)
    kept = remove_overlap({s: [tuple(t) for t, _ in v] for s, v in sentences.items()})
    for split in ("train", "valid"):
        if split in kept and len(kept[split]) < len(sentences[split]):
            summary[f"{split}_removed_overlap"] = len(sentences[split]) - len(kept[split])
            sentences[split] = [sentences[split][i] for i in kept[split]]
    if "valid" not in sentences and data.valid_fraction > 0:
        parts = split_distinct([0] * len(sentences["train"]), data.valid_fraction, 0.0,
                               data.split_seed, stratify=False)
        train = sentences["train"]
        sentences["valid"] = [train[i] for i in parts["valid"]]
        sentences["train"] = [train[i] for i in parts["train"]]
    return _finish(sentences, summary)


def _finish(sentences: dict[str, list[Sentence]], summary: dict[str, Any]) -> TaggedSplits:
    sentences = {s: sentences[s] for s in SPLITS if sentences.get(s)}
    if "train" not in sentences:
        raise ValueError(f"no training sentences in {summary['source']}")
    tags = sorted({t for split in sentences.values() for _, ts in split for t in ts},
                  key=lambda t: (t != "O", t))  # "O" first when present
    summary["sizes"] = {s: len(v) for s, v in sentences.items()}
    summary["tokens"] = {s: sum(len(t) for t, _ in v) for s, v in sentences.items()}
    seen = {s: {tuple(t) for t, _ in v} for s, v in sentences.items()}
    summary["in_two_splits"] = sum(len(seen[a] & seen[b]) for a in seen for b in seen if a < b)
    if len(tags) < 2:
        raise ValueError(f"expected at least 2 tags in {summary['source']}, got {tags}")
    return TaggedSplits(sentences, tags, summary)
