"""The language-modelling task: config sections, the Task the trainer runs, and loading a run.

A run directory made by ``rnnlab lm train`` (or ``rnnlab train`` with
``[task] kind = "lm"``) holds ``config.toml`` (sections ``[task]``, ``[data]``,
``[model]``, ``[lm]``, ``[train]``), ``tokenizer.json`` and the trainer's
checkpoints; :func:`load_lm` rebuilds the trained model from those files alone.

This module wires data, model and trainer together, so it sits in the cli
layer (the trainer knows no models; data and training import no models).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from rnnlab.config import from_dict, load_toml
from rnnlab.data.text import StreamBatches, Tokenizer, batchify, build_tokenizer, load_corpus
from rnnlab.data.text.tokenizers import load_tokenizer
from rnnlab.models.language_model import LanguageModel, LMConfig
from rnnlab.models.regularizers import (
    activation_regularization,
    temporal_activation_regularization,
)
from rnnlab.training.checkpoint import BEST, CHECKPOINTS
from rnnlab.training.task import StepResult

log = logging.getLogger("rnnlab.lm")
TOKENIZER_FILE = "tokenizer.json"


@dataclass(frozen=True)
class LMDataConfig:
    """``[data]``: which text, how it is cut into tokens, and how it is batched."""

    path: str = "shipped:pt-bosque"  # file, folder, folder/prefix, or shipped:NAME
    level: str = "word"  # word, char or bpe
    lowercase: bool = False  # lower-case before building the vocabulary
    min_freq: int = 1  # rarer tokens become <unk>
    max_vocab: int | None = None  # at most this many tokens, specials included (bpe: its size)
    split: str = "whitespace"  # word level: "whitespace" (pre-tokenized) or "regex"
    valid_fraction: float = 0.0  # hold out the end of a single-file corpus for validation
    test_fraction: float = 0.0  # ... and for test
    keep_empty: bool = False  # blank lines count as <eos> (WikiText's usual preprocessing)
    max_train_tokens: int | None = None  # use only the first N training tokens (quick runs)
    batch_size: int = 20  # B parallel streams in training
    eval_batch_size: int = 10  # B for valid / test
    bptt: int = 35  # T, the truncated-BPTT chunk length
    variable_bptt: bool = False  # AWD-LSTM's random chunk lengths around bptt


@dataclass(frozen=True)
class LMObjectiveConfig:
    """``[lm]``: terms added to the cross-entropy in training (Merity et al. 2018)."""

    ar: float = 0.0  # α of activation regularisation α·mean(h̃²) (AWD-LSTM: 2)
    tar: float = 0.0  # β of temporal activation regularisation β·mean((h_t − h_{t−1})²) (1)


class LanguageModelTask:
    """Next-token prediction over B parallel streams, with the state carried across chunks."""

    def __init__(
        self,
        model: LanguageModel,
        tokenizer: Tokenizer,
        streams: dict[str, Tensor],
        data: LMDataConfig,
        objective: LMObjectiveConfig = LMObjectiveConfig(),
        seed: int = 0,
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.streams = streams  # split -> (L, B)
        self.data = data
        self.objective = objective
        self.seed = seed
        self.chunk_length = data.bptt  # k1, announced for TBPTT(k1, k2)
        self._first_loss_checked = False

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


def sections(config: dict[str, Any]) -> tuple[LMDataConfig, LMConfig, LMObjectiveConfig]:
    """The LM's typed sections of a config dict (missing sections take their defaults)."""
    return (
        from_dict(LMDataConfig, config.get("data", {})),
        from_dict(LMConfig, config.get("model", {})),
        from_dict(LMObjectiveConfig, config.get("lm", {})),
    )


def build_lm_task(config: dict[str, Any], run_dir: Path) -> LanguageModelTask:
    """The ``[task] kind = "lm"`` builder: corpus, tokenizer (saved to the run), model, task."""
    data_cfg, model_cfg, objective = sections(config)
    run_dir = Path(run_dir)
    saved = run_dir / TOKENIZER_FILE
    # a resumed run keeps its vocabulary; a new run builds it from its training text
    tokenizer = load_tokenizer(saved) if _has_checkpoints(run_dir) and saved.is_file() else None
    prepared = prepare_data(data_cfg, tokenizer)
    run_dir.mkdir(parents=True, exist_ok=True)
    prepared.tokenizer.save(saved)
    streams = {"train": batchify(prepared.ids["train"], data_cfg.batch_size)}
    for split in ("valid", "test"):
        if split in prepared.ids:
            streams[split] = batchify(prepared.ids[split], data_cfg.eval_batch_size)
    model = LanguageModel(model_cfg, prepared.tokenizer.vocab_size)
    if not config.get("train", {}).get("carry_state", False):
        log.warning(
            "train.carry_state is false: every chunk of the stream starts from a zero "
            "state; language models usually set it true (rnnlab lm train does)"
        )
    seed = int(config.get("train", {}).get("seed", 0))
    log.info(
        "lm: %d tokens of training text, vocabulary %d, %d parameters, backend %s",
        len(prepared.ids["train"]),
        prepared.tokenizer.vocab_size,
        model.num_parameters(),
        model.backend_used,
    )
    return LanguageModelTask(model, prepared.tokenizer, streams, data_cfg, objective, seed)


def _has_checkpoints(run_dir: Path) -> bool:
    folder = run_dir / CHECKPOINTS
    return folder.is_dir() and any(folder.iterdir())


@dataclass
class LoadedLM:
    """A trained language model rebuilt from its run directory."""

    model: LanguageModel
    tokenizer: Tokenizer
    config: dict[str, Any]
    data: LMDataConfig
    meta: dict[str, Any]


def load_lm(run_dir: str | Path, which: str = "best", device: str = "cpu") -> LoadedLM:
    """Model, tokenizer and config from a run directory (weights: ``best`` or ``last``)."""
    from rnnlab.training import load_weights

    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise FileNotFoundError(f"run directory not found: {run_dir}")
    config = load_toml(run_dir / "config.toml")
    kind = config.get("task", {}).get("kind")
    if kind != "lm":
        raise ValueError(f"{run_dir} is not a language-model run: [task] kind = {kind!r}")
    data_cfg, model_cfg, _ = sections(config)
    tokenizer = load_tokenizer(run_dir / TOKENIZER_FILE)
    model = LanguageModel(model_cfg, tokenizer.vocab_size)
    if which == "best" and not (run_dir / CHECKPOINTS / BEST).exists():
        log.warning("%s has no best checkpoint (no validation text): using the last", run_dir)
        which = "last"
    meta = load_weights(model, run_dir, which=which)
    model.to(torch.device(device)).eval()
    return LoadedLM(model, tokenizer, config, data_cfg, meta)
