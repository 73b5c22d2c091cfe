"""The conditional-generation Task: every character of an item given its label (teacher forced).

The loss is the mean cross-entropy per character, the end of the item
(``<eos>``) included; bits per character = loss / ln 2. With ``mode = "none"``
the label is ignored: the same data, split and network without the condition,
the baseline the conditional model's held-out bits per character are set against.
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
from rnnlab.data.text.factory import load_tokenizer
from rnnlab.data.text.labelled import Labelled, load_labelled_folder
from rnnlab.data.text.sequence_batches import IGNORE_INDEX, split_batches, teacher_forcing_pair
from rnnlab.data.text.tokenizers import CharTokenizer, Tokenizer
from rnnlab.models.conditional import ConditionalGenerator
from rnnlab.tasks.condgen.config import CondGenDataConfig
from rnnlab.training.checkpoint import step_checkpoints
from rnnlab.training.task import StepResult

if TYPE_CHECKING:
    from rnnlab.tasks.config import RunConfig

log = logging.getLogger("rnnlab.condgen")
TOKENIZER_FILE, LABELS_FILE, SPLIT_FILE = "tokenizer.json", "labels.json", "split.json"


class ItemBatch(NamedTuple):
    split: str
    indices: np.ndarray


@dataclass
class EncodedItems:
    items: list[Labelled]
    ids: list[list[int]]  # characters, without <eos>
    labels: list[int]


def encode_items(items: list[Labelled], tokenizer: Tokenizer,
                 labels: list[str]) -> EncodedItems:
    index = {name: i for i, name in enumerate(labels)}
    unknown = sorted({it.label for it in items} - set(index))
    if unknown:
        raise ValueError(f"labels {unknown} were not in the training data ({labels})")
    return EncodedItems(items, [tokenizer.encode(it.text) for it in items],
                        [index[it.label] for it in items])


class ConditionalTask:
    """Labelled items as a trainer ``Task``: cross-entropy per character given the label."""

    def __init__(self, model: ConditionalGenerator, tokenizer: Tokenizer, labels: list[str],
                 splits: dict[str, EncodedItems], data: CondGenDataConfig, seed: int = 0) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.labels = labels
        self.splits = splits
        self.data = data
        self.seed = seed

    def batches(self, split: str, epoch: int) -> list[ItemBatch]:
        encoded = self.splits.get(split)
        if encoded is None:
            return []
        cut = split_batches([len(i) for i in encoded.ids], split, batch_size=self.data.batch_size,
                            eval_batch_size=self.data.eval_batch_size, seed=self.seed, epoch=epoch)
        return [ItemBatch(split, idx) for idx in cut]

    def tensors(self, batch: ItemBatch) -> tuple[Tensor, Tensor, Tensor]:
        """labels (B,), decoder inputs (T, B), targets (T, B) on the model's device."""
        encoded = self.splits[batch.split]
        eos = self.tokenizer.eos_id
        target_in, target_out = teacher_forcing_pair([encoded.ids[i] for i in batch.indices],
                                                     eos, eos)
        labels = torch.as_tensor(np.asarray(encoded.labels)[batch.indices])  # (B,)
        device = self.model.decoder.output.weight.device
        return labels.to(device), target_in.to(device), target_out.to(device)

    def step(self, batch: ItemBatch, state: Any) -> StepResult:
        labels, target_in, target_out = self.tensors(batch)
        logits = self.model(labels, target_in)  # (T, B, V)
        loss = F.cross_entropy(logits.float().flatten(0, 1), target_out.flatten(),
                               ignore_index=IGNORE_INDEX)
        return StepResult(loss=loss, items=int((target_out != IGNORE_INDEX).sum()))

    def eval_metrics(self, mean_loss: float) -> dict[str, float]:
        return {"bpc": mean_loss / math.log(2), "perplexity": math.exp(min(mean_loss, 700.0))}


def build(config: RunConfig, run_dir: Path) -> ConditionalTask:
    """Read and split the items, build (or reload) the characters and labels, the model."""
    data = config["data"]
    run_dir = Path(run_dir)
    split = load_labelled_folder(data.path, valid=data.valid_fraction, test=data.test_fraction,
                                 seed=data.split_seed)
    log.info("condgen: %s\n%s", data.path, split.describe())
    if step_checkpoints(run_dir):  # resuming: the vocabulary and labels the weights know
        tokenizer = load_tokenizer(run_dir / TOKENIZER_FILE)
        labels = json.loads((run_dir / LABELS_FILE).read_text(encoding="utf-8"))
    else:
        train = split.items["train"]
        tokenizer = CharTokenizer.build([it.text for it in train])
        labels = sorted({it.label for it in train})
        run_dir.mkdir(parents=True, exist_ok=True)
        tokenizer.save(run_dir / TOKENIZER_FILE)
        (run_dir / LABELS_FILE).write_text(json.dumps(labels, ensure_ascii=False),
                                           encoding="utf-8")
        (run_dir / SPLIT_FILE).write_text(json.dumps(
            {"describe": split.describe(), **{f"{s}_items": len(split.items[s]) for s in SPLITS},
             **{f"{s}_texts": split.keys[s] for s in SPLITS}}, indent=1), encoding="utf-8")
    splits = {s: encode_items(split.items[s], tokenizer, labels) for s in SPLITS
              if split.items[s]}
    model = ConditionalGenerator(config["model"], tokenizer.vocab_size, num_classes=len(labels))
    return ConditionalTask(model, tokenizer, labels, splits, data, seed=config.train.seed)
