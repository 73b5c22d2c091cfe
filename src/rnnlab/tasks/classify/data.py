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

from rnnlab.data.text.distinct import deduplicate, remove_overlap, split_distinct
from rnnlab.data.text.labelled import LabelledTexts, given_splits, read_labelled
from rnnlab.tasks.classify.config import ClassifyDataConfig

SPLITS = ("train", "valid", "test")


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
    summary: dict[str, Any] = {"source": str(data.path)}
    if files is None:
        items = _read(data, data.path, data.sst_phrases)
        kept, labels, report = deduplicate(items.texts, items.labels, data.conflicts)
        summary.update(rows=len(items), empty_rows=items.empty, distinct=report.to_dict(),
                       split="by distinct text, stratified by label "
                             f"(valid {data.valid_fraction}, test {data.test_fraction}, "
                             f"seed {data.split_seed})")
        parts = split_distinct(labels, data.valid_fraction, data.test_fraction, data.split_seed)
        texts = {s: [items.texts[kept[i]] for i in idx] for s, idx in parts.items()}
        names = {s: [labels[i] for i in idx] for s, idx in parts.items()}
        return _finish(items.classes, texts, names, summary)
    read = {s: _read(data, path, data.sst_phrases and s == "train") for s, path in files.items()}
    summary["split"] = "given: " + ", ".join(f"{s} = {p.name}" for s, p in files.items())
    texts, names = {}, {}
    for split, items in read.items():
        policy = data.conflicts if split == "train" else "majority"
        kept, labels, report = deduplicate(items.texts, items.labels, policy)
        summary[f"{split}_distinct"] = report.to_dict()
        if split == "train":  # given valid/test stay as published (comparable numbers)
            texts[split], names[split] = [items.texts[i] for i in kept], labels
        else:
            texts[split], names[split] = items.texts, items.labels
    kept = remove_overlap({s: texts[s] for s in texts})
    for split in ("train", "valid"):
        if split in kept and len(kept[split]) < len(texts[split]):
            summary[f"{split}_removed_overlap"] = len(texts[split]) - len(kept[split])
            texts[split] = [texts[split][i] for i in kept[split]]
            names[split] = [names[split][i] for i in kept[split]]
    if "valid" not in texts and data.valid_fraction > 0:  # carve valid from the distinct train
        parts = split_distinct(names["train"], data.valid_fraction, 0.0, data.split_seed)
        for split in ("valid", "train"):
            texts[split] = [texts["train"][i] for i in parts[split]]
            names[split] = [names["train"][i] for i in parts[split]]
    classes = next((r.classes for r in read.values() if r.classes), [])
    return _finish(classes, texts, names, summary)


def _finish(classes: list[str], texts: dict[str, list[str]], names: dict[str, list[str]],
            summary: dict[str, Any]) -> LabelledSplits:
    every = sorted({label for labels in names.values() for label in labels})
    classes = [c for c in classes if c in every] + [c for c in every if c not in classes]
    index = {c: i for i, c in enumerate(classes)}
    labels = {s: [index[n] for n in names[s]] for s in names}
    if not texts.get("train"):
        raise ValueError(f"no training texts in {summary['source']}")
    out = LabelledSplits(classes, {s: texts[s] for s in SPLITS if texts.get(s)},
                         {s: labels[s] for s in SPLITS if texts.get(s)}, summary)
    summary["sizes"] = {s: len(t) for s, t in out.texts.items()}
    summary["class_counts"] = {s: out.counts(s) for s in out.texts}
    seen = {s: set(t) for s, t in out.texts.items()}
    pairs = [(a, b) for a in seen for b in seen if a < b]
    summary["in_two_splits"] = sum(len(seen[a] & seen[b]) for a, b in pairs)
    if len(classes) < 2:
        raise ValueError(f"expected at least 2 classes in {summary['source']}, got {classes}")
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
