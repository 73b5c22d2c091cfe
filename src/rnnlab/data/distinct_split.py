"""Split items by a distinct key, so that no key (sentence, name, source) is in two splits.

A random split of *items* leaks when items repeat a key: the Tatoeba file has
167,130 English–French pairs but only 116,830 distinct English sentences, so
shuffling pairs puts the same source sentence in train and test, and the test
score measures memory. Here the distinct keys are shuffled (seeded) and cut by
fraction; every item follows its key. Exact duplicate items are removed first
and counted; the result asserts that the splits share no key.

    split = split_by_key(pairs, key=lambda p: p.source, valid=0.05, test=0.05, seed=0)
    split.items["test"], split.describe()
"""

from __future__ import annotations

import random
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
SPLITS = ("train", "valid", "test")


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
