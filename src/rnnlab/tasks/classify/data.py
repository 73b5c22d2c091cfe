"""Labelled text for a classify run: read, de-duplicated, split by distinct text, encoded.

Data without a given split (Tweets_Mg, the surname lists, any CSV) is
de-duplicated first (one item per distinct text; a text under several labels
resolved by ``[data] conflicts``) and the *distinct* texts are split, stratified
by label, so no text sits in two splits. Data with a given split (SST's
train/dev/test files) keeps its valid and test sets as published; the training
set is de-duplicated and loses any text that valid or test hold. Everything
found is counted in the run's ``data_summary.json`` and report.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from rnnlab.data.splits import SPLITS
from rnnlab.data.text.distinct import clean_given_splits, overlap_count, split_rows
from rnnlab.data.text.labelled import LabelledTexts, given_splits, read_labelled
from rnnlab.tasks.classify.config import ClassifyDataConfig


@dataclass
class LabelledSplits:
    """Texts and class indices per split, the classes, and what was found on the way."""

    classes: list[str]
    texts: dict[str, list[str]]
    labels: dict[str, list[int]]
    summary: dict[str, Any] = field(default_factory=dict)

    def counts(self, split: str) -> dict[str, int]:
        seen = Counter(self.labels[split])
        return {c: seen[i] for i, c in enumerate(self.classes)}


def _read(data: ClassifyDataConfig, path: Any, phrases: bool) -> LabelledTexts:
    return read_labelled(path, data.format, text_column=data.text_column,
                         label_column=data.label_column, sst_classes=data.sst_classes,
                         sst_phrases=phrases)


def read_splits(data: ClassifyDataConfig) -> LabelledSplits:
    """The run's train / valid / test items (see the module docstring)."""
    files = given_splits(data.path)
    if files is None:
        items = _read(data, data.path, data.sst_phrases)
        parts, summary = split_rows(items.texts, items.labels, conflicts=data.conflicts,
                                    valid_fraction=data.valid_fraction,
                                    test_fraction=data.test_fraction, seed=data.split_seed)
        summary["empty_rows"] = items.empty
        return _finish(items.classes, parts, {"source": str(data.path), **summary})
    read = {s: _read(data, path, data.sst_phrases and s == "train") for s, path in files.items()}
    parts, summary = clean_given_splits({s: (r.texts, r.labels) for s, r in read.items()},
                                        conflicts=data.conflicts,
                                        valid_fraction=data.valid_fraction, seed=data.split_seed)
    summary["split"] = "given: " + ", ".join(f"{s} = {p.name}" for s, p in files.items())
    classes = next((r.classes for r in read.values() if r.classes), [])
    return _finish(classes, parts, {"source": str(data.path), **summary})


def _finish(classes: list[str], parts: dict[str, tuple[list, list]],
            summary: dict[str, Any]) -> LabelledSplits:
    every = sorted({label for _, labels in parts.values() for label in labels})
    classes = [c for c in classes if c in every] + [c for c in every if c not in classes]
    index = {c: i for i, c in enumerate(classes)}
    present = [s for s in SPLITS if parts.get(s) and parts[s][0]]
    if "train" not in present:
        raise ValueError(f"no training texts in {summary['source']}")
    if len(classes) < 2:
        raise ValueError(f"expected at least 2 classes in {summary['source']}, got {classes}")
    out = LabelledSplits(classes, {s: list(parts[s][0]) for s in present},
                         {s: [index[n] for n in parts[s][1]] for s in present}, summary)
    summary["sizes"] = {s: len(t) for s, t in out.texts.items()}
    summary["class_counts"] = {s: out.counts(s) for s in out.texts}
    summary["in_two_splits"] = overlap_count(out.texts)
    return out


def describe_summary(summary: dict[str, Any], unit: str = "texts") -> list[str]:
    """Markdown lines of a data summary (report.md); ``unit``: texts or sentences."""
    lines = [f"- source: `{summary['source']}`; split {summary['split']}"]
    if "distinct" in summary:
        d = summary["distinct"]
        empty = f" ({summary['empty_rows']} empty dropped)" if "empty_rows" in summary else ""
        lines.append(f"- {d['rows']} rows{empty}, "
                     f"{d['distinct']} distinct {unit}: {d['duplicate_rows']} duplicate rows "
                     f"removed, {d['conflicts']} {unit} with conflicting labels "
                     + (f"({d['dropped']} dropped)" if d["dropped"] else "(majority label kept)"))
    for split in SPLITS:
        d = summary.get(f"{split}_distinct")
        if d:
            lines.append(f"- {split}: {d['rows']} items, {d['distinct']} distinct, "
                         f"{d['duplicate_rows']} repeats, {d['conflicts']} label conflicts"
                         + (" (repeats removed)" if split == "train" else " (kept as given)"))
        if summary.get(f"{split}_removed_overlap"):
            lines.append(f"- {split}: {summary[f'{split}_removed_overlap']} {unit} removed "
                         "because a later split holds them")
    lines.append(f"- sizes: {summary['sizes']}; {unit} in two splits: "
                 f"{summary['in_two_splits']}")
    return lines


def with_path(data: ClassifyDataConfig, path: str) -> ClassifyDataConfig:
    """The same reading rules on other data (``evaluate --data``)."""
    return replace(data, path=path)
