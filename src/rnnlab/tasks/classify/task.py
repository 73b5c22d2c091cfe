"""The classification Task the trainer runs, and how a run builds it from its config.

One batch = B texts padded to (T, B) with their lengths and classes; the loss is
the (optionally class-weighted, label-smoothed) cross-entropy. In evaluation the
task also counts correct predictions, so every validation record has the accuracy.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
import torch.nn.functional as F
from torch import Tensor

from rnnlab.data.text.factory import build_tokenizer, load_tokenizer
from rnnlab.data.text.padding import LengthBatches, pad_ids
from rnnlab.data.text.tokenizers import Tokenizer
from rnnlab.models.classifier import SequenceClassifier
from rnnlab.tasks.classify.config import ClassifyDataConfig, ClassifyObjective
from rnnlab.tasks.classify.data import LabelledSplits, read_splits
from rnnlab.tasks.text_batches import AccuracyCounter, LazyBatches, read_json, write_json
from rnnlab.tasks.transfer import GradualUnfreezing, transfer_from_lm
from rnnlab.training.checkpoint import step_checkpoints
from rnnlab.training.task import StepResult

if TYPE_CHECKING:
    from rnnlab.tasks.config import RunConfig

log = logging.getLogger("rnnlab.classify")
TOKENIZER_FILE, LABELS_FILE, SUMMARY_FILE = "tokenizer.json", "labels.json", "data_summary.json"


@dataclass
class TextBatch:
    tokens: Tensor  # (T, B) int64
    lengths: Tensor  # (B,)
    labels: Tensor  # (B,) class indices
    epoch: int  # the epoch it belongs to (gradual unfreezing reads it)


def encode_texts(tokenizer: Tokenizer, texts: list[str], max_length: int | None) -> list[list[int]]:
    """Token ids of each text (an empty encoding reads as one <unk>), cut to ``max_length``."""
    out = []
    for text in texts:
        ids = tokenizer.encode(text) or [tokenizer.unk_id]
        out.append(ids[:max_length] if max_length else ids)
    return out


def class_weights(train_labels: list[int], num_classes: int) -> Tensor:
    """w_c = N / (C · N_c), scikit-learn's "balanced" (an absent class gets weight 0)."""
    counts = Counter(train_labels)
    n = len(train_labels)
    return torch.tensor([n / (num_classes * counts[c]) if counts[c] else 0.0
                         for c in range(num_classes)])


class ClassifyTask:
    """Sequence classification over padded, length-bucketed batches of texts."""

    def __init__(self, model: SequenceClassifier, ids: dict[str, list[list[int]]],
                 labels: dict[str, list[int]], data: ClassifyDataConfig,
                 objective: ClassifyObjective, seed: int = 0,
                 unfreezing: GradualUnfreezing | None = None) -> None:
        self.model, self.ids, self.labels, self.data = model, ids, labels, data
        self.seed, self.unfreezing = seed, unfreezing
        self.weight = (class_weights(labels["train"], model.num_classes)
                       if objective.class_weights == "balanced" else None)
        self.label_smoothing = objective.label_smoothing
        self.counter = AccuracyCounter("accuracy")

    def batches(self, split: str, epoch: int) -> LazyBatches[TextBatch] | list[Any]:
        if split not in self.ids:
            return []
        train = split == "train"
        lengths = [len(s) for s in self.ids[split]]
        order = LengthBatches(lengths, self.data.batch_size if train else
                              self.data.eval_batch_size, shuffle=train, seed=self.seed,
                              epoch=epoch)
        return LazyBatches(order, lambda idx: self._batch(split, idx, epoch))

    def _batch(self, split: str, idx: list[int], epoch: int) -> TextBatch:
        tokens, lengths = pad_ids([self.ids[split][i] for i in idx])
        return TextBatch(tokens, lengths, torch.tensor([self.labels[split][i] for i in idx]),
                         epoch)

    def step(self, batch: TextBatch, state: Any) -> StepResult:
        if self.unfreezing is not None and self.model.training:
            self.unfreezing.apply(batch.epoch)
        device = self.model.embedding.weight.device
        logits = self.model(batch.tokens.to(device), batch.lengths)  # (B, C)
        y = batch.labels.to(device)
        weight = None if self.weight is None else self.weight.to(device)
        loss = F.cross_entropy(logits.float(), y, weight=weight,
                               label_smoothing=self.label_smoothing)
        if not self.model.training:  # count for eval_metrics
            self.counter.add(int((logits.argmax(-1) == y).sum()), len(y))
        return StepResult(loss=loss, items=len(y))

    def eval_metrics(self, mean_loss: float) -> dict[str, float]:
        return self.counter.metrics()  # the accuracy of the evaluation that just ran


def build(config: RunConfig, run_dir: Path) -> ClassifyTask:
    """Data, tokenizer and classes (saved to the run; a resumed run keeps its own), model, task."""
    data, model_cfg, transfer = config["data"], config["model"], config["transfer"]
    run_dir = Path(run_dir)
    resuming = bool(step_checkpoints(run_dir))
    splits = read_splits(data)
    if resuming:
        tokenizer = load_tokenizer(run_dir / TOKENIZER_FILE)
        classes = read_json(run_dir / LABELS_FILE, "the classes the weights were trained on")
        _check_same_classes(classes, splits)
    else:
        tokenizer = build_tokenizer(data.level, splits.texts["train"], min_freq=data.min_freq,
                                    max_size=data.max_vocab, lowercase=data.lowercase,
                                    split=data.split)
        classes = splits.classes
    ids = {s: encode_texts(tokenizer, t, data.max_length) for s, t in splits.texts.items()}
    model = SequenceClassifier(model_cfg, tokenizer.vocab_size, len(classes), transfer.lr_decay)
    summary = dict(splits.summary)
    if transfer.from_lm and not resuming:
        summary["transfer"] = transfer_from_lm(model, tokenizer, transfer, ids["train"])
        log.info("classify: from the LM %s, %.1f%% of the vocabulary and %.1f%% of the training "
                 "tokens found", transfer.from_lm, 100 * summary["transfer"]["type_coverage"],
                 100 * summary["transfer"]["token_coverage"])
    if not resuming:
        run_dir.mkdir(parents=True, exist_ok=True)
        tokenizer.save(run_dir / TOKENIZER_FILE)
        write_json(run_dir / LABELS_FILE, classes)
        write_json(run_dir / SUMMARY_FILE, summary)
    log.info("classify: %s train texts, %d classes, vocabulary %d (%s), %d parameters",
             len(ids["train"]), len(classes), tokenizer.vocab_size, data.level,
             model.num_parameters())
    unfreezing = (GradualUnfreezing(model.layer_groups()) if transfer.unfreeze == "gradual"
                  else None)
    return ClassifyTask(model, ids, splits.labels, data, config["classify"], config.train.seed,
                        unfreezing)


def _check_same_classes(saved: list[str], splits: LabelledSplits) -> None:
    if saved != splits.classes:
        raise ValueError(f"the data now has classes {splits.classes}, but the run was trained "
                         f"on {saved}: resume with the data it was trained on")
