"""Duplicates, label conflicts and splits by distinct item: no text in two splits.

Real labelled sets repeat themselves: Tweets_Mg has 5,765 distinct texts in
8,199 rows, the surname lists 17,454 distinct names in 20,075 lines, 469 of them
under two languages. A split of *rows* then puts copies of one text in train and
test, and the test score measures memory (a stratified row split lifts a simple
surname model from 79% to 85%). So:

* :func:`deduplicate` keeps one item per distinct key and resolves a key seen
  with several labels (a *conflict*) by majority or drops it, counting both;
* :func:`split_distinct` splits the distinct items (stratified by label);
* :func:`remove_overlap` takes out of the earlier splits any key a later split
  holds, for data that comes with its own splits (the test set stays intact).

* :func:`split_by_key` splits items that may share a key *and keep all of them*
  (a source sentence with several translations, a surname under two languages):
  every item follows its key, exact repeats are removed and counted.

The key is the item itself (a text, or a tuple of tokens for tagging), compared
exactly after the reader's NFC normalisation and strip.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Generic, TypeVar

import numpy as np

from rnnlab.data.splits import SPLITS

CONFLICTS = ("majority", "drop")


@dataclass(frozen=True)
class DistinctReport:
    """What de-duplication found in one set of rows."""

    rows: int  # items read
    distinct: int  # distinct keys among them
    duplicate_rows: int  # rows that repeat an earlier key (rows − distinct)
    conflicts: int  # distinct keys seen with more than one label
    dropped: int  # distinct keys dropped (conflicts under policy "drop")
    kept: int  # items kept

    def describe(self) -> str:
        return (f"{self.rows} rows, {self.distinct} distinct ({self.duplicate_rows} duplicate "
                f"rows removed), {self.conflicts} with conflicting labels"
                + (f" ({self.dropped} dropped)" if self.dropped else " (majority label kept)"))

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def deduplicate(keys: Sequence[Hashable], labels: Sequence[Hashable],
                conflicts: str = "majority") -> tuple[list[int], list[Hashable], DistinctReport]:
    """(index of each kept key's first row, its label, the report).

    ``conflicts="majority"``: a key seen with several labels keeps its most frequent
    one (a tie goes to the label that sorts first, so the result is deterministic);
    ``"drop"``: such a key is left out.
    """
    if conflicts not in CONFLICTS:
        raise ValueError(f"expected conflicts in {CONFLICTS}, got {conflicts!r}")
    if len(keys) != len(labels):
        raise ValueError(f"expected as many labels as items, got {len(labels)} and {len(keys)}")
    first: dict[Hashable, int] = {}
    counts: dict[Hashable, Counter] = {}
    for index, (key, label) in enumerate(zip(keys, labels, strict=True)):
        first.setdefault(key, index)
        counts.setdefault(key, Counter())[label] += 1
    kept, kept_labels, n_conflicts, dropped = [], [], 0, 0
    for key, index in first.items():  # in order of first appearance
        seen = counts[key]
        if len(seen) > 1:
            n_conflicts += 1
            if conflicts == "drop":
                dropped += 1
                continue
        label = min(seen, key=lambda lab: (-seen[lab], str(lab)))  # majority; ties: sorts first
        kept.append(index)
        kept_labels.append(label)
    report = DistinctReport(len(keys), len(first), len(keys) - len(first), n_conflicts, dropped,
                            len(kept))
    return kept, kept_labels, report


def split_distinct(labels: Sequence[Hashable], valid_fraction: float, test_fraction: float,
                   seed: int = 0, stratify: bool = True) -> dict[str, list[int]]:
    """Indices of distinct items for train / valid / test, shuffled with ``seed``.

    ``stratify``: each label is split in the same proportions (a rare class still
    reaches valid and test when it has enough items: at least one each when it has 3).
    """
    if min(valid_fraction, test_fraction) < 0 or valid_fraction + test_fraction >= 1:
        raise ValueError("expected valid_fraction, test_fraction >= 0 with a sum below 1, got "
                         f"{valid_fraction} and {test_fraction}")
    rng = np.random.default_rng(seed)
    groups: dict[Hashable, list[int]] = {}
    if stratify:
        for index, label in enumerate(labels):
            groups.setdefault(label, []).append(index)
    else:
        groups[None] = list(range(len(labels)))
    out: dict[str, list[int]] = {"train": [], "valid": [], "test": []}
    for label in sorted(groups, key=str):
        members = np.array(groups[label])[rng.permutation(len(groups[label]))]
        n = len(members)
        n_test = _share(n, test_fraction)
        n_valid = _share(n - n_test, valid_fraction / (1 - test_fraction)) if n - n_test else 0
        out["test"].extend(members[:n_test].tolist())
        out["valid"].extend(members[n_test:n_test + n_valid].tolist())
        out["train"].extend(members[n_test + n_valid:].tolist())
    return {split: sorted(indices) for split, indices in out.items()}


def _share(n: int, fraction: float) -> int:
    """round(n·fraction), but at least 1 when fraction > 0 and n >= 3 (a class reaches test)."""
    if fraction <= 0:
        return 0
    return max(round(n * fraction), 1 if n >= 3 else 0)


def remove_overlap(keys: dict[str, Sequence[Hashable]],
                   order: Sequence[str] = ("train", "valid", "test")) -> dict[str, list[int]]:
    """Indices kept in each split after removing, from each split, the keys a *later* split of
    ``order`` holds (train loses what valid or test hold; test is never changed)."""
    kept: dict[str, list[int]] = {}
    later: set[Hashable] = set()
    for split in reversed([s for s in order if s in keys]):
        kept[split] = [i for i, key in enumerate(keys[split]) if key not in later]
        later.update(keys[split])
    return {split: kept[split] for split in order if split in kept}


Items = tuple[list[Hashable], list[Hashable]]  # (keys, labels) of one split


def split_rows(keys: Sequence[Hashable], labels: Sequence[Hashable], *, conflicts: str,
               valid_fraction: float, test_fraction: float, seed: int = 0,
               stratify: bool = True) -> tuple[dict[str, Items], dict[str, Any]]:
    """Rows without a given split: de-duplicated, then the distinct items split.

    Returns ``{split: (keys, labels)}`` and a summary (``distinct``: the report, ``split``:
    how it was split) for the run's data_summary.json.
    """
    kept, resolved, report = deduplicate(keys, labels, conflicts)
    parts = split_distinct(resolved, valid_fraction, test_fraction, seed, stratify)
    out = {s: ([keys[kept[i]] for i in idx], [resolved[i] for i in idx])
           for s, idx in parts.items() if idx}
    how = (f"by distinct item{', stratified by label' if stratify else ''} (valid "
           f"{valid_fraction}, test {test_fraction}, seed {seed})")
    return out, {"distinct": report.to_dict(), "split": how}


def clean_given_splits(parts: dict[str, Items], *, conflicts: str, valid_fraction: float,
                       seed: int = 0, stratify: bool = True
                       ) -> tuple[dict[str, Items], dict[str, Any]]:
    """Data with its own splits: train de-duplicated (``conflicts``) and stripped of every
    key valid or test hold (valid of those test holds); valid and test kept as given (their
    repeats counted); without a valid split, one is cut from the distinct training items."""
    summary: dict[str, Any] = {}
    out: dict[str, Items] = {}
    for split, (keys, labels) in parts.items():
        kept, resolved, report = deduplicate(keys, labels,
                                             conflicts if split == "train" else "majority")
        summary[f"{split}_distinct"] = report.to_dict()
        out[split] = (([keys[i] for i in kept], resolved) if split == "train"
                      else (list(keys), list(labels)))
    keep = remove_overlap({s: keys for s, (keys, _) in out.items()})
    for split in ("train", "valid"):
        if split in keep and len(keep[split]) < len(out[split][0]):
            summary[f"{split}_removed_overlap"] = len(out[split][0]) - len(keep[split])
            keys, labels = out[split]
            out[split] = ([keys[i] for i in keep[split]], [labels[i] for i in keep[split]])
    if "valid" not in out and valid_fraction > 0:
        keys, labels = out["train"]
        cut = split_distinct(labels, valid_fraction, 0.0, seed, stratify)
        for split in ("valid", "train"):
            out[split] = ([keys[i] for i in cut[split]], [labels[i] for i in cut[split]])
    return out, summary


def overlap_count(keys: dict[str, Sequence[Hashable]]) -> int:
    """How many keys sit in two splits (0 after the functions above)."""
    seen = {s: set(k) for s, k in keys.items()}
    return sum(len(seen[a] & seen[b]) for a in seen for b in seen if a < b)


# Items that share a key and are all kept (parallel pairs, multi-labelled names).
# A random split of *items* leaks when items repeat a key: the Tatoeba file has
# 167,130 English–French pairs but only 116,830 distinct English sentences, so
# shuffling pairs puts the same source sentence in train and test, and the test
# score measures memory. Here the distinct keys are shuffled (seeded) and cut by
# fraction; every item follows its key. Exact duplicate items are removed first
# and counted; the result asserts that the splits share no key.

T = TypeVar("T")


@dataclass
class KeySplit(Generic[T]):
    """Items per split, and what was counted on the way."""

    items: dict[str, list[T]]  # split -> items (every item of a key in one split)
    keys: dict[str, int]  # split -> distinct keys
    read: int  # items before removing duplicates
    duplicates: int  # exact repeats of an item, removed
    notes: dict[str, int] = field(default_factory=dict)  # other counts a reader adds

    def describe(self) -> str:
        """One line per split: keys and items, then the removed counts."""
        before = "".join(f"{v} {k}; " for k, v in self.notes.items())
        lines = [f"{before}{self.read} items split, {self.duplicates} exact duplicates removed"]
        for name in SPLITS:
            lines.append(f"  {name:5s} {self.keys[name]:7d} distinct keys "
                         f"{len(self.items[name]):7d} items")
        return "\n".join(lines)


def split_by_key(
    items: Sequence[T],
    key: Callable[[T], Hashable],
    *,
    valid: float,
    test: float,
    seed: int = 0,
) -> KeySplit[T]:
    """Shuffle the distinct keys of ``items`` (seeded) and give ``valid`` and ``test``
    fractions of them (at least one key each when the fraction is > 0) to those splits.

    Items keep their input order within a split. Exact duplicate items (equal
    under ``==``) are dropped and counted.
    """
    if min(valid, test) < 0 or valid + test >= 1:
        raise ValueError(f"expected valid, test fractions >= 0 with a sum below 1, got "
                         f"{valid} and {test}")
    unique = list(dict.fromkeys(items))  # exact repeats of an item carry no new information
    order: dict[Hashable, int] = {}
    for item in unique:
        order.setdefault(key(item), len(order))
    distinct = list(order)
    random.Random(seed).shuffle(distinct)
    n = len(distinct)
    n_test = _count(test, n)
    n_valid = _count(valid, n)
    if n_test + n_valid >= n:
        raise ValueError(f"only {n} distinct keys: too few for valid={valid} and test={test} "
                         "with any left to train on")
    where = {k: "test" for k in distinct[:n_test]}
    where.update({k: "valid" for k in distinct[n_test:n_test + n_valid]})
    out: dict[str, list[T]] = {name: [] for name in SPLITS}
    for item in unique:
        out[where.get(key(item), "train")].append(item)
    keys = {name: len({key(i) for i in out[name]}) for name in SPLITS}
    _check_disjoint(out, key)
    return KeySplit(out, keys, read=len(items), duplicates=len(items) - len(unique))


def _count(fraction: float, n: int) -> int:
    return 0 if fraction == 0 else max(1, round(fraction * n))


def _check_disjoint(out: dict[str, list[T]], key: Callable[[T], Hashable]) -> None:
    seen = {name: {key(i) for i in out[name]} for name in SPLITS}
    for a, b in (("train", "valid"), ("train", "test"), ("valid", "test")):
        shared = seen[a] & seen[b]
        if shared:  # cannot happen by construction; a broken key function would do it
            raise AssertionError(f"{len(shared)} key(s) in both {a} and {b}, e.g. "
                                 f"{next(iter(shared))!r}")
