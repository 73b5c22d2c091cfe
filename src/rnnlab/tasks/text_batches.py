"""What the classify and tag tasks share: batches built on demand, token ids, JSON files.

A batch is made only when the trainer asks for it (``LazyBatches[i]``), from a
:class:`~rnnlab.data.text.padding.LengthBatches` index list, so ``batches(split,
epoch)`` is cheap, indexable and deterministic, as the trainer's contract asks.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from rnnlab.data.text.tokenizers import Tokenizer

B = TypeVar("B")


class LazyBatches(Sequence[B]):
    """``make(indices, epoch)`` for each index list of ``index_batches``."""

    def __init__(self, index_batches: Sequence[list[int]], make: Callable[[list[int]], B]):
        self.index_batches, self.make = index_batches, make

    def __len__(self) -> int:
        return len(self.index_batches)

    def __getitem__(self, i: int) -> B:  # type: ignore[override]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        return self.make(self.index_batches[i])


def token_ids(tokenizer: Tokenizer, tokens: Sequence[str]) -> list[int]:
    """Ids of already-split tokens (CoNLL words), lower-cased if the tokenizer lower-cases."""
    lower = getattr(tokenizer, "lowercase", False)
    return [tokenizer.index.get(t.lower() if lower else t, tokenizer.unk_id) for t in tokens]


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def read_json(path: Path, what: str) -> Any:
    if not path.is_file():
        raise FileNotFoundError(f"{path.parent} has no {path.name} ({what})")
    return json.loads(path.read_text(encoding="utf-8"))


class AccuracyCounter:
    """Correct predictions counted by ``step`` during an evaluation, then read (and reset) by
    the task's ``eval_metrics``: the trainer only hands that the mean loss. Nothing counted
    gives ``{}`` (the progress bar also asks, with a training loss)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.correct = self.seen = 0

    def add(self, correct: int, seen: int) -> None:
        self.correct += correct
        self.seen += seen

    def metrics(self) -> dict[str, float]:
        if not self.seen:
            return {}
        accuracy = self.correct / self.seen
        self.correct = self.seen = 0
        return {self.name: accuracy}
