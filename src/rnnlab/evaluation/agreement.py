"""Subject–verb agreement probe (Linzen et al. 2016; Gulordava et al. 2018).

A language model that tracks syntax should prefer the verb form that agrees
with the subject, even across "attractors" (nouns of the other number between
subject and verb): "the writer of the books *is*" over "*are*". For each test
sentence the model reads the words before the verb and we compare
p(correct form | prefix) with p(wrong form | prefix); accuracy is the share of
sentences where the correct form is more probable, overall and by the number of
attractors.

File format (as in ``linzen-agreement-subset``), line-aligned files:

- ``NAME.text``: tokenized sentences, tokens separated by spaces;
- ``NAME.gold``: 4 tab-separated columns: the verb's 0-based position in the
  sentence, the correct form, the wrong form, the number of attractors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn

from rnnlab.data.reading import read_lines
from rnnlab.data.text.tokenizers import Tokenizer
from rnnlab.evaluation.language import logits_at


@dataclass(frozen=True)
class AgreementItem:
    """One test sentence: the words before the verb, and the two verb forms."""

    prefix: tuple[str, ...]  # tokens before the verb
    correct: str
    wrong: str
    attractors: int


@dataclass
class AgreementResult:
    """Accuracy overall and by number of attractors; items with an unknown verb form skipped."""

    correct: int = 0
    total: int = 0
    skipped: int = 0  # a verb form outside the model's vocabulary: cannot be compared
    by_attractors: dict[int, list[int]] = field(default_factory=dict)  # n -> [correct, total]

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else float("nan")

    def add(self, attractors: int, win: bool) -> None:
        """Count one scored sentence with ``attractors`` attractors, right or wrong."""
        counts = self.by_attractors.setdefault(attractors, [0, 0])
        counts[0] += int(win)
        counts[1] += 1
        self.correct += int(win)
        self.total += 1

    def rows(self) -> list[tuple[str, int, str]]:
        """(attractors, sentences, accuracy) rows, then the overall row."""
        out = [(str(n), t, f"{c / t:.3f}") for n, (c, t) in sorted(self.by_attractors.items())]
        return [*out, ("all", self.total, f"{self.accuracy:.3f}")]


def _resolve(path: Path) -> tuple[Path, Path]:
    if path.is_dir():
        texts = sorted(path.glob("*.text"))
        if len(texts) != 1:
            raise ValueError(
                f"expected one NAME.text file (with NAME.gold) in {path}, "
                f"got {[p.name for p in texts]}"
            )
        path = texts[0]
    stem = path.with_suffix("") if path.suffix in (".text", ".gold", ".eval") else path
    text, gold = stem.with_name(stem.name + ".text"), stem.with_name(stem.name + ".gold")
    for p in (text, gold):
        if not p.exists():
            raise FileNotFoundError(f"agreement file not found: {p}")
    return text, gold


def read_agreement(path: str | Path, *, lowercase: bool = False) -> list[AgreementItem]:
    """Items from ``NAME.text`` + ``NAME.gold`` (``path`` = either file, NAME, or their folder)."""
    text_path, gold_path = _resolve(Path(path))
    sentences = read_lines(text_path, keep_empty=True)
    golds = read_lines(gold_path, keep_empty=True)
    while sentences and not sentences[-1].strip():
        sentences.pop()
    while golds and not golds[-1].strip():
        golds.pop()
    if len(sentences) != len(golds):
        raise ValueError(
            f"expected line-aligned files, got {len(sentences)} sentences in {text_path.name} "
            f"and {len(golds)} lines in {gold_path.name}"
        )
    items = []
    for number, (sentence, gold) in enumerate(zip(sentences, golds, strict=True), start=1):
        columns = gold.split("\t")
        if len(columns) != 4 or not columns[0].isdigit() or not columns[3].isdigit():
            raise ValueError(
                f"{gold_path}:{number}: expected 'position<TAB>correct<TAB>wrong<TAB>attractors', "
                f"got {gold!r}"
            )
        tokens = sentence.lower().split() if lowercase else sentence.split()
        position = int(columns[0])
        if position >= len(tokens):
            raise ValueError(
                f"{gold_path}:{number}: verb position {position} is past the end of a "
                f"{len(tokens)}-token sentence"
            )
        correct, wrong = columns[1], columns[2]
        if lowercase:
            correct, wrong = correct.lower(), wrong.lower()
        items.append(AgreementItem(tuple(tokens[:position]), correct, wrong, int(columns[3])))
    if not items:
        raise ValueError(f"{text_path} holds no agreement items")
    return items


@torch.no_grad()
def agreement_accuracy(
    model: nn.Module,
    tokenizer: Tokenizer,
    items: Sequence[AgreementItem],
    *,
    batch_size: int = 64,
) -> AgreementResult:
    """Score every item: is p(correct | <eos> prefix) > p(wrong | <eos> prefix)?

    ``model`` is a torch language model, or a counts model with
    ``next_log_probs(contexts, tokens)`` (:class:`rnnlab.models.ngram.KneserNeyLM`).

    The prefix is read after ``<eos>`` (a new sentence starts), words outside
    the vocabulary become ``<unk>``. Items are batched by prefix length and
    right-padded: a recurrent model's output at step t never depends on later
    steps, so the padding changes nothing.
    """
    result = AgreementResult()
    scored: list[tuple[list[int], int, int, int]] = []
    for item in items:
        good = tokenizer.index.get(item.correct)
        bad = tokenizer.index.get(item.wrong)
        if good is None or bad is None:
            result.skipped += 1
            continue
        ids = [tokenizer.eos_id, *(tokenizer.index.get(t, tokenizer.unk_id) for t in item.prefix)]
        scored.append((ids, good, bad, item.attractors))
    scored.sort(key=lambda s: len(s[0]))
    if not isinstance(model, nn.Module):  # counts (the n-gram model): its own log p
        good_lp = model.next_log_probs([ids for ids, *_ in scored], [g for _, g, _, _ in scored])
        bad_lp = model.next_log_probs([ids for ids, *_ in scored], [w for _, _, w, _ in scored])
        for (_, _, _, n), win in zip(scored, (good_lp > bad_lp).tolist(), strict=True):
            result.add(n, win)
        return result
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    try:
        for start in range(0, len(scored), batch_size):
            chunk = scored[start : start + batch_size]
            longest = max(len(ids) for ids, *_ in chunk)
            batch = torch.full((longest, len(chunk)), tokenizer.eos_id, dtype=torch.long)
            for b, (ids, *_) in enumerate(chunk):
                batch[: len(ids), b] = torch.tensor(ids)  # (T, B), right-padded
            last = torch.tensor([len(ids) - 1 for ids, *_ in chunk])  # (B,)
            logits = logits_at(model, batch.to(device), last.to(device))  # (B, V)
            good = torch.tensor([g for _, g, _, _ in chunk], device=device)
            bad = torch.tensor([w for _, _, w, _ in chunk], device=device)
            wins = logits.gather(1, good[:, None]) > logits.gather(1, bad[:, None])  # (B, 1)
            for (_, _, _, n), win in zip(chunk, wins.squeeze(1).tolist(), strict=True):
                result.add(n, win)
    finally:
        model.train(was_training)
    return result
