"""The translation Task the trainer runs, and how a run builds it from its config.

Batches are sentence pairs of similar length (bucketed, shuffled by (seed,
epoch), so a resumed run sees the same batches). The loss is the mean
cross-entropy per target token, ``<eos>`` included, padding ignored; with a
teacher-forcing ratio below 1 a step reads the model's own previous argmax
with probability 1 − ratio, drawn by a generator seeded with (seed, epoch,
batch), so a resumed run draws the same coins.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from rnnlab.data.splits import SPLITS
from rnnlab.data.text.factory import build_tokenizer, load_tokenizer
from rnnlab.data.text.parallel import Pair, load_parallel, tutorial_normalize
from rnnlab.data.text.sequence_batches import (
    IGNORE_INDEX,
    pad_sequences,
    split_batches,
    teacher_forcing_pair,
)
from rnnlab.data.text.tokenizers import Tokenizer
from rnnlab.models.seq2seq import EncoderDecoder
from rnnlab.tasks.translate.config import TranslateDataConfig, TranslateObjectiveConfig
from rnnlab.training.checkpoint import step_checkpoints
from rnnlab.training.task import StepResult

if TYPE_CHECKING:
    from rnnlab.tasks.config import RunConfig

log = logging.getLogger("rnnlab.translate")
SOURCE_TOKENIZER, TARGET_TOKENIZER, SHARED_TOKENIZER = (
    "source_tokenizer.json", "target_tokenizer.json", "tokenizer.json")
SPLIT_FILE = "split.json"


class PairBatch(NamedTuple):
    """One batch: which pairs of which split, and where it sits (seeds the teacher-forcing
    coins)."""

    split: str
    epoch: int
    number: int
    indices: np.ndarray


@dataclass
class Tokenizers:
    source: Tokenizer
    target: Tokenizer

    def save(self, run_dir: Path) -> None:
        if self.source is self.target:
            self.source.save(run_dir / SHARED_TOKENIZER)
        else:
            self.source.save(run_dir / SOURCE_TOKENIZER)
            self.target.save(run_dir / TARGET_TOKENIZER)

    @classmethod
    def load(cls, run_dir: Path) -> Tokenizers:
        shared = run_dir / SHARED_TOKENIZER
        if shared.is_file():
            tok = load_tokenizer(shared)
            return cls(tok, tok)
        return cls(load_tokenizer(run_dir / SOURCE_TOKENIZER),
                   load_tokenizer(run_dir / TARGET_TOKENIZER))


def normalize_text(text: str, data: TranslateDataConfig) -> str:
    """What the model reads of a user's sentence: the run's normalisation applied."""
    return tutorial_normalize(text) if data.normalize == "tutorial" else text.strip()


def build_tokenizers(data: TranslateDataConfig, train: list[Pair]) -> Tokenizers:
    """Per-language vocabularies from the training pairs (one when ``shared_vocab``)."""
    def make(lines: list[str]) -> Tokenizer:
        if data.level == "bpe":
            return build_tokenizer("bpe", lines, min_freq=data.min_freq,
                                   max_size=data.max_vocab or 8000)
        return build_tokenizer("word", lines, min_freq=data.min_freq, max_size=data.max_vocab,
                               lowercase=data.lowercase, split="regex")

    sources, targets = [p.source for p in train], [p.target for p in train]
    if data.shared_vocab:
        shared = make(sources + targets)
        return Tokenizers(shared, shared)
    return Tokenizers(make(sources), make(targets))


@dataclass
class EncodedSplit:
    """One split: its pairs and their token ids (source with <eos>, target without)."""

    pairs: list[Pair]
    source_ids: list[list[int]]
    target_ids: list[list[int]]


def encode_split(pairs: list[Pair], tokenizers: Tokenizers) -> EncodedSplit:
    source = [tokenizers.source.encode(p.source, add_eos=True) for p in pairs]
    target = [tokenizers.target.encode(p.target) for p in pairs]
    return EncodedSplit(pairs, source, target)


class TranslationTask:
    """Sentence pairs as a trainer ``Task``: teacher-forced cross-entropy per target token."""

    def __init__(self, model: EncoderDecoder, tokenizers: Tokenizers,
                 splits: dict[str, EncodedSplit], data: TranslateDataConfig,
                 objective: TranslateObjectiveConfig, seed: int = 0, epochs: int = 1) -> None:
        self.model = model
        self.tokenizers = tokenizers
        self.splits = splits
        self.data = data
        self.objective = objective
        self.seed = seed
        self.epochs = epochs
        self.eos = tokenizers.target.eos_id  # also <bos>: the decoder's first input (fairseq)
        self._first_loss_checked = False

    def batches(self, split: str, epoch: int) -> list[PairBatch]:
        encoded = self.splits.get(split)
        if encoded is None or not encoded.pairs:
            return []
        cut = split_batches([len(s) for s in encoded.source_ids], split,
                            batch_size=self.data.batch_size,
                            eval_batch_size=self.data.eval_batch_size, seed=self.seed, epoch=epoch)
        return [PairBatch(split, epoch, i, idx) for i, idx in enumerate(cut)]

    def tensors(self, split: str, indices: np.ndarray) -> tuple[Tensor, ...]:
        """source (S, B), lengths (B,), decoder inputs (T, B), targets (T, B) on the device."""
        encoded = self.splits[split]
        device = self.model.decoder.output.weight.device
        source, lengths = pad_sequences([encoded.source_ids[i] for i in indices], self.eos)
        target_in, target_out = teacher_forcing_pair(
            [encoded.target_ids[i] for i in indices], self.eos, self.eos)
        return (source.to(device), lengths.to(device), target_in.to(device),
                target_out.to(device))

    def step(self, batch: PairBatch, state: Any) -> StepResult:
        source, lengths, target_in, target_out = self.tensors(batch.split, batch.indices)
        force = None
        ratio = self.objective.ratio(batch.epoch, self.epochs)
        if self.model.training and ratio < 1.0:
            key = np.random.SeedSequence([self.seed, batch.epoch, batch.number])
            coins = torch.Generator().manual_seed(int(key.generate_state(1)[0]))
            force = (torch.rand(target_in.shape, generator=coins) < ratio).to(source.device)
            force[0] = True  # the first input is always <bos>
        logits, _ = self.model(source, lengths, target_in, force=force)  # (T, B, V)
        loss = F.cross_entropy(logits.float().flatten(0, 1), target_out.flatten(),
                               ignore_index=IGNORE_INDEX,
                               label_smoothing=self.objective.label_smoothing
                               if self.model.training else 0.0)
        if not self._first_loss_checked and self.model.training:
            self._first_loss_checked = True
            self._check_first_loss(loss.item(), logits.size(-1))
        return StepResult(loss=loss, items=int((target_out != IGNORE_INDEX).sum()))

    @staticmethod
    def _check_first_loss(first: float, vocab: int) -> None:
        """Sanity number: a fresh decoder predicts ≈ uniformly, so the first loss ≈ log V
        (on resume the model is trained: the check only logs)."""
        log.info("first training loss %.3f nats; log V = %.3f", first, math.log(vocab))
        if first > math.log(vocab) + 1.0:
            log.warning("first training loss %.2f is far above log V = %.2f: check the init "
                        "and the targets", first, math.log(vocab))

    def eval_metrics(self, mean_loss: float) -> dict[str, float]:
        return {"perplexity": math.exp(min(mean_loss, 700.0))}


def build(config: RunConfig, run_dir: Path) -> TranslationTask:
    """Read and split the pairs, build (or reload) the tokenizers, the model and the task."""
    data = config["data"]
    run_dir = Path(run_dir)
    resuming = bool(step_checkpoints(run_dir))
    split = load_parallel(data.path, normalize=data.normalize, reverse=data.reverse,
                          max_words=data.max_words, filter=data.filter,
                          valid=data.valid_fraction, test=data.test_fraction,
                          seed=data.split_seed)
    log.info("translate: %s\n%s", data.path, split.describe())
    if resuming:
        tokenizers = Tokenizers.load(run_dir)  # the vocabulary the weights were trained with
    else:
        tokenizers = build_tokenizers(data, split.items["train"])
        run_dir.mkdir(parents=True, exist_ok=True)
        tokenizers.save(run_dir)
        summary = {"describe": split.describe(), "read": split.read,
                   "duplicates": split.duplicates, **split.notes,
                   **{f"{s}_pairs": len(split.items[s]) for s in SPLITS},
                   **{f"{s}_sources": split.keys[s] for s in SPLITS}}
        (run_dir / SPLIT_FILE).write_text(json.dumps(summary, indent=1), encoding="utf-8")
    splits = {s: encode_split(split.items[s], tokenizers) for s in SPLITS if split.items[s]}
    model = EncoderDecoder(config["model"], tokenizers.source.vocab_size,
                           tokenizers.target.vocab_size)
    log.info("translate: vocabularies %d (source) and %d (target), %d parameters",
             tokenizers.source.vocab_size, tokenizers.target.vocab_size, model.num_parameters())
    return TranslationTask(model, tokenizers, splits, data, config["translate"],
                           seed=config.train.seed, epochs=config.train.epochs)
