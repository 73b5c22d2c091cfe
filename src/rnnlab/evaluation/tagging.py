"""Tagging metrics: token accuracy, entity-level P/R/F1 (CoNLL), the most-frequent-tag baseline.

Entities follow the CoNLL evaluation script's rules (conlleval; seqeval's default
mode): a tag is ``O`` or ``P-TYPE`` with P one of B, I, E, S (BIO and IOBES). A
chunk *starts* at B or S, at an I or E after O or after a chunk of another type
(so an I- without its B- starts a span), and *ends* before a B, S or O, after an
E or S, or where the type changes. An entity counts as found only if its type and
both boundaries match a gold entity exactly:

    P = |pred ∩ gold| / |pred|    R = |pred ∩ gold| / |gold|    F1 = 2PR / (P + R)

per type and over all types (micro). Checked against seqeval 1.2.2 on fixed
examples (tests/evaluation/test_tagging.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

Span = tuple[str, int, int]  # (type, first token, last token), inclusive


def _split(tag: str) -> tuple[str, str]:
    if tag == "O" or not tag:
        return "O", ""
    prefix, _, kind = tag.partition("-")
    if not kind:  # a bare type ("PER") reads as I-PER, as conlleval does
        return "I", prefix
    return prefix, kind


def _ends(prev: str, prev_kind: str, tag: str, kind: str) -> bool:
    """conlleval's endOfChunk: the chunk holding the previous token ends before this one."""
    if prev in ("E", "S"):
        return True
    if prev in ("B", "I") and tag in ("B", "S", "O"):
        return True
    return prev != "O" and prev_kind != kind


def _starts(prev: str, prev_kind: str, tag: str, kind: str) -> bool:
    """conlleval's startOfChunk: a chunk starts at this token."""
    if tag in ("B", "S"):
        return True
    if prev in ("E", "S", "O") and tag in ("E", "I"):
        return True
    return tag != "O" and prev_kind != kind


def entity_spans(tags: Sequence[str]) -> list[Span]:
    """The entities of one sentence's tags, CoNLL convention (I- without B- starts a span)."""
    spans: list[Span] = []
    prev, prev_kind, begin = "O", "", -1
    for i, tag in enumerate([*tags, "O"]):  # a final O closes the last chunk
        cur, kind = _split(tag)
        if begin >= 0 and _ends(prev, prev_kind, cur, kind):
            spans.append((prev_kind, begin, i - 1))
            begin = -1
        if _starts(prev, prev_kind, cur, kind):
            begin = i
        prev, prev_kind = cur, kind
    return spans


@dataclass
class EntityScores:
    """Entity-level precision, recall, F1 and counts, per type and overall (micro)."""

    per_type: dict[str, tuple[float, float, float, int]]  # type -> (P, R, F1, gold count)
    precision: float
    recall: float
    f1: float
    gold: int
    predicted: int
    correct: int

    def to_dict(self) -> dict[str, Any]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1,
                "gold": self.gold, "predicted": self.predicted, "correct": self.correct,
                "per_type": {k: {"precision": p, "recall": r, "f1": f, "support": n}
                             for k, (p, r, f, n) in self.per_type.items()}}


def _prf(correct: int, predicted: int, gold: int) -> tuple[float, float, float]:
    p = correct / predicted if predicted else 0.0
    r = correct / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def entity_scores(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]
                  ) -> EntityScores:
    """Entity P/R/F1 of ``predicted`` tag sequences against ``gold`` (one list per sentence)."""
    if len(gold) != len(predicted):
        raise ValueError(f"expected as many predicted sentences as gold ones, got "
                         f"{len(predicted)} and {len(gold)}")
    counts: dict[str, Counter] = {}
    for i, (g, p) in enumerate(zip(gold, predicted, strict=True)):
        if len(g) != len(p):
            raise ValueError(f"sentence {i}: {len(g)} gold tags but {len(p)} predicted")
        gold_spans, pred_spans = set(entity_spans(g)), set(entity_spans(p))
        for span in gold_spans:
            counts.setdefault(span[0], Counter())["gold"] += 1
        for span in pred_spans:
            counts.setdefault(span[0], Counter())["predicted"] += 1
        for span in gold_spans & pred_spans:
            counts[span[0]]["correct"] += 1
    per_type = {kind: (*_prf(c["correct"], c["predicted"], c["gold"]), c["gold"])
                for kind, c in sorted(counts.items())}
    total = Counter()
    for c in counts.values():
        total.update(c)
    return EntityScores(per_type, *_prf(total["correct"], total["predicted"], total["gold"]),
                        total["gold"], total["predicted"], total["correct"])


def token_accuracy(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> float:
    """Share of tokens whose predicted tag equals the gold tag."""
    pairs = [(g, p) for gs, ps in zip(gold, predicted, strict=True)
             for g, p in zip(gs, ps, strict=True)]
    if not pairs:
        raise ValueError("expected at least one token")
    return sum(g == p for g, p in pairs) / len(pairs)


class MostFrequentTag:
    """The baseline: each word's most frequent training tag; unseen words get the most
    frequent tag overall (ties: the tag that sorts first)."""

    def __init__(self, sentences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]]):
        by_word: dict[str, Counter] = {}
        overall: Counter = Counter()
        for words, labels in zip(sentences, tags, strict=True):
            for word, tag in zip(words, labels, strict=True):
                by_word.setdefault(word, Counter())[tag] += 1
                overall[tag] += 1
        if not overall:
            raise ValueError("expected tagged training sentences")
        pick = lambda c: min(c, key=lambda t: (-c[t], t))  # noqa: E731
        self.default = pick(overall)
        self.table = {word: pick(c) for word, c in by_word.items()}

    def predict(self, words: Sequence[str]) -> list[str]:
        return [self.table.get(w, self.default) for w in words]
