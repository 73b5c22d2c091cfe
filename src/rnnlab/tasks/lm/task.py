"""The language-modelling Task the trainer runs, and how a run builds it from its config.

Next-token prediction over B parallel streams of the corpus, the recurrent
state carried (detached) from one chunk to the next: truncated BPTT.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch.nn.functional as F
from torch import Tensor

from rnnlab.data.text import StreamBatches, Tokenizer, batchify, build_tokenizer, load_corpus
from rnnlab.data.text.factory import load_tokenizer
from rnnlab.models.language_model import LanguageModel
from rnnlab.models.regularizers import (
    activation_regularization,
    temporal_activation_regularization,
)
from rnnlab.tasks.lm.config import LMDataConfig, LMObjectiveConfig
from rnnlab.training.checkpoint import step_checkpoints
from rnnlab.training.task import StepResult

if TYPE_CHECKING:
    from rnnlab.tasks.config import RunConfig

log = logging.getLogger("rnnlab.lm")
TOKENIZER_FILE = "tokenizer.json"


class LanguageModelTask:
    """Next-token prediction over B parallel streams, with the state carried across chunks."""

    def __init__(
        self,
        model: LanguageModel,
        tokenizer: Tokenizer,
        streams: dict[str, Tensor],
        data: LMDataConfig,
        objective: LMObjectiveConfig | None = None,
        seed: int = 0,
        check_first_loss: bool = True,
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.streams = streams  # split -> (L, B)
        self.data = data
        self.objective = objective or LMObjectiveConfig()
        self.seed = seed
        self.chunk_length = data.bptt  # k1, announced for TBPTT(k1, k2)
        self._first_loss_checked = not check_first_loss  # not on resume: the model is trained

    def batches(self, split: str, epoch: int) -> StreamBatches | list[Any]:
        streams = self.streams.get(split)
        if streams is None:
            return []
        variable = self.data.variable_bptt and split == "train"
        return StreamBatches(
            streams, self.data.bptt, variable_length=variable, epoch=epoch, seed=self.seed
        )

    def step(self, batch: tuple[Tensor, Tensor], state: Any) -> StepResult:
        device = self.model.decoder.weight.device
        x, y = (t.to(device, non_blocking=True) for t in batch)  # (T, B) each
        h, h_dropped, state = self.model.hidden(x, state)  # (T, B, E|H)
        logits = self.model.decoder(h_dropped)  # (T, B, V)
        vocab = logits.size(-1)
        loss = F.cross_entropy(logits.float().reshape(-1, vocab), y.reshape(-1))  # mean nats
        metrics: dict[str, float] = {}
        if not self._first_loss_checked and self.model.training:
            # sanity number: a fresh model predicts ≈ uniformly, so loss ≈ log V
            self._first_loss_checked = True
            first, expected = loss.item(), math.log(vocab)
            log.info("first training loss %.3f nats; log V = %.3f", first, expected)
            if abs(first - expected) > 1.0:
                log.warning(
                    "first training loss %.2f is far from log V = %.2f: a fresh language model "
                    "should predict almost uniformly; check the init and the targets",
                    first,
                    expected,
                )
        total = loss
        if self.model.training and self.objective.ar:
            ar = activation_regularization(h_dropped.float(), self.objective.ar)
            total = total + ar
            metrics["ar"] = float(ar.detach())
        if self.model.training and self.objective.tar:
            tar = temporal_activation_regularization(h.float(), self.objective.tar)
            total = total + tar
            metrics["tar"] = float(tar.detach())
        if total is not loss:
            metrics["cross_entropy"] = float(loss.detach())
        return StepResult(loss=total, state=state, items=y.numel(), metrics=metrics)

    def eval_metrics(self, mean_loss: float) -> dict[str, float]:
        ppl = math.exp(min(mean_loss, 700.0))
        bits = mean_loss / math.log(2)
        if self.tokenizer.kind == "char":
            return {"bpc": bits, "perplexity": ppl}
        return {"perplexity": ppl, "bits_per_token": bits}


@dataclass
class LMData:
    """A corpus turned into token ids, with the tokenizer that made them."""

    tokenizer: Tokenizer
    ids: dict[str, list[int]]  # split -> token ids (with <eos> after every line)


def prepare_data(data: LMDataConfig, tokenizer: Tokenizer | None = None) -> LMData:
    """Read the corpus, build the tokenizer on train (unless given), encode every split."""
    corpus = load_corpus(
        data.path,
        valid_fraction=data.valid_fraction,
        test_fraction=data.test_fraction,
        keep_empty=data.keep_empty,
    )
    if tokenizer is None:
        tokenizer = build_tokenizer(
            data.level,
            corpus.train,
            min_freq=data.min_freq,
            max_size=data.max_vocab,
            lowercase=data.lowercase,
            split=data.split,
        )
    ids = {}
    for split in ("train", "valid", "test"):
        lines = getattr(corpus, split)
        if lines:
            ids[split] = tokenizer.encode_lines(lines)
    if data.max_train_tokens is not None:
        ids["train"] = ids["train"][: data.max_train_tokens]
    return LMData(tokenizer, ids)


def build(config: RunConfig, run_dir: Path) -> LanguageModelTask:
    """Corpus, tokenizer (saved to the run; a resumed run keeps its own), model and task."""
    data_cfg, model_cfg, objective = config["data"], config["model"], config["lm"]
    run_dir = Path(run_dir)
    saved = run_dir / TOKENIZER_FILE
    resuming = bool(step_checkpoints(run_dir))
    if resuming and not saved.is_file():
        raise FileNotFoundError(
            f"{run_dir} has checkpoints but no {TOKENIZER_FILE}: the vocabulary the weights were "
            "trained with is gone, and one rebuilt from the text may differ; restore the file"
        )
    prepared = prepare_data(data_cfg, load_tokenizer(saved) if resuming else None)
    if not resuming:
        run_dir.mkdir(parents=True, exist_ok=True)
        prepared.tokenizer.save(saved)
    streams = {"train": batchify(prepared.ids["train"], data_cfg.batch_size)}
    for split in ("valid", "test"):
        if split in prepared.ids:
            streams[split] = batchify(prepared.ids[split], data_cfg.eval_batch_size)
    model = LanguageModel(model_cfg, prepared.tokenizer.vocab_size)
    if not config.train.carry_state:
        log.warning(
            "train.carry_state is false: every chunk of the stream starts from a zero "
            "state; language models usually set it true (the lm task's default)"
        )
    log.info(
        "lm: %d tokens of training text, vocabulary %d, %d parameters, backend %s",
        len(prepared.ids["train"]),
        prepared.tokenizer.vocab_size,
        model.num_parameters(),
        model.backend_used,
    )
    return LanguageModelTask(model, prepared.tokenizer, streams, data_cfg, objective,
                             config.train.seed, check_first_loss=not resuming)
