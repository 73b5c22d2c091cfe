"""The tagging Task the trainer runs, and how a run builds it from its config.

One batch = B sentences: word ids (T, B), each word's character ids (T, B, W),
tags (T, B) and lengths. The loss is in nats per token (CRF or softmax); in
evaluation the task also decodes (Viterbi with a CRF) and counts correct tags,
so every validation record has the token accuracy.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor

from rnnlab.data.text.factory import load_tokenizer
from rnnlab.data.text.padding import LengthBatches, pad_chars, pad_ids
from rnnlab.data.text.tokenizers import CharTokenizer, Tokenizer, WordTokenizer
from rnnlab.models.tagger import SequenceTagger
from rnnlab.tasks.tag.config import TagDataConfig
from rnnlab.tasks.tag.data import Sentence, read_tag_splits
from rnnlab.tasks.text_batches import (
    AccuracyCounter,
    LazyBatches,
    read_json,
    token_ids,
    write_json,
)
from rnnlab.tasks.transfer import GradualUnfreezing, transfer_from_lm
from rnnlab.training.checkpoint import step_checkpoints
from rnnlab.training.task import StepResult

if TYPE_CHECKING:
    from rnnlab.tasks.config import RunConfig

log = logging.getLogger("rnnlab.tag")
WORDS_FILE, CHARS_FILE, TAGS_FILE = "tokenizer.json", "chars.json", "tags.json"
SUMMARY_FILE = "data_summary.json"


@dataclass
class TagBatch:
    words: Tensor  # (T, B)
    lengths: Tensor  # (B,)
    chars: Tensor  # (T, B, W)
    char_lengths: Tensor  # (T, B)
    tags: Tensor  # (T, B) tag ids (0 on padding)
    epoch: int


@dataclass
class Vocabularies:
    words: Tokenizer
    chars: Tokenizer
    tags: list[str]

    def encode(self, tokens: Sequence[str]) -> tuple[list[int], list[list[int]]]:
        """(word ids, character ids of each word) of one sentence."""
        return token_ids(self.words, tokens), [token_ids(self.chars, list(t)) for t in tokens]


def make_batch(vocab: Vocabularies, sentences: Sequence[Sentence], epoch: int = 0) -> TagBatch:
    index = {t: i for i, t in enumerate(vocab.tags)}
    encoded = [vocab.encode(tokens) for tokens, _ in sentences]
    words, lengths = pad_ids([w for w, _ in encoded])
    chars, char_lengths = pad_chars([c for _, c in encoded])
    tags, _ = pad_ids([[index[t] for t in ts] for _, ts in sentences])
    return TagBatch(words, lengths, chars, char_lengths, tags, epoch)


def emissions(model: SequenceTagger, batch: TagBatch) -> Tensor:
    device = model.emit.weight.device
    return model(batch.words.to(device), batch.lengths, batch.chars.to(device),
                 batch.char_lengths.to(device))  # (T, B, K)


class TagTask:
    """Sequence tagging over length-bucketed batches of sentences."""

    def __init__(self, model: SequenceTagger, vocab: Vocabularies,
                 sentences: dict[str, list[Sentence]], data: TagDataConfig, seed: int = 0,
                 unfreezing: GradualUnfreezing | None = None) -> None:
        self.model, self.vocab, self.sentences, self.data = model, vocab, sentences, data
        self.seed, self.unfreezing = seed, unfreezing
        self.counter = AccuracyCounter("token_accuracy")

    def batches(self, split: str, epoch: int) -> LazyBatches[TagBatch] | list[Any]:
        if split not in self.sentences:
            return []
        train = split == "train"
        items = self.sentences[split]
        order = LengthBatches([len(t) for t, _ in items], self.data.batch_size if train else
                              self.data.eval_batch_size, shuffle=train, seed=self.seed,
                              epoch=epoch)
        return LazyBatches(order, lambda idx: make_batch(self.vocab, [items[i] for i in idx],
                                                         epoch))

    def step(self, batch: TagBatch, state: Any) -> StepResult:
        if self.unfreezing is not None and self.model.training:
            self.unfreezing.apply(batch.epoch)
        e = emissions(self.model, batch).float()
        tags = batch.tags.to(e.device)
        loss = self.model.loss(e, tags, batch.lengths)
        tokens = int(batch.lengths.sum())
        if not self.model.training:  # count for eval_metrics
            paths = self.model.decode(e, batch.lengths)
            self.counter.add(sum(int((torch.tensor(p) == tags[: len(p), b].cpu()).sum())
                                 for b, p in enumerate(paths)), tokens)
        return StepResult(loss=loss, items=tokens)

    def eval_metrics(self, mean_loss: float) -> dict[str, float]:
        return self.counter.metrics()  # the token accuracy of the evaluation that just ran


def build_vocabularies(train: list[Sentence], data: TagDataConfig) -> tuple[Tokenizer, Tokenizer]:
    words = WordTokenizer.build([" ".join(tokens) for tokens, _ in train],
                                min_freq=data.min_freq, max_size=data.max_vocab,
                                lowercase=data.lowercase)
    chars = CharTokenizer.build([w for tokens, _ in train for w in tokens])
    return words, chars


def build(config: RunConfig, run_dir: Path) -> TagTask:
    """Sentences, vocabularies and tags (saved; a resumed run keeps its own), model, task."""
    data, model_cfg, transfer = config["data"], config["model"], config["transfer"]
    run_dir = Path(run_dir)
    resuming = bool(step_checkpoints(run_dir))
    splits = read_tag_splits(data)
    if resuming:
        vocab = Vocabularies(load_tokenizer(run_dir / WORDS_FILE),
                             load_tokenizer(run_dir / CHARS_FILE),
                             read_json(run_dir / TAGS_FILE, "the tags the weights know"))
        unknown = sorted(set(splits.tags) - set(vocab.tags))
        if unknown:
            raise ValueError(f"the data now has tags {unknown} the run was not trained on")
    else:
        vocab = Vocabularies(*build_vocabularies(splits.sentences["train"], data), splits.tags)
    model = SequenceTagger(model_cfg, vocab.words.vocab_size, vocab.chars.vocab_size, vocab.tags,
                           transfer.lr_decay)
    summary = dict(splits.summary)
    if transfer.from_lm and not resuming:
        train_ids = [vocab.encode(t)[0] for t, _ in splits.sentences["train"]]
        summary["transfer"] = transfer_from_lm(model, vocab.words, transfer, train_ids)
    if not resuming:
        run_dir.mkdir(parents=True, exist_ok=True)
        vocab.words.save(run_dir / WORDS_FILE)
        vocab.chars.save(run_dir / CHARS_FILE)
        write_json(run_dir / TAGS_FILE, vocab.tags)
        write_json(run_dir / SUMMARY_FILE, summary)
    log.info("tag: %d training sentences, %d tags, %d words, %d characters, %d parameters",
             len(splits.sentences["train"]), len(vocab.tags), vocab.words.vocab_size,
             vocab.chars.vocab_size, model.num_parameters())
    unfreezing = (GradualUnfreezing(model.layer_groups()) if transfer.unfreeze == "gradual"
                  else None)
    return TagTask(model, vocab, splits.sentences, data, config.train.seed, unfreezing)
