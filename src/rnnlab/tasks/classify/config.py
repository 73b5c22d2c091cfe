"""The sections of a classify run: ``[data]``, ``[model]``, ``[classify]``, ``[transfer]``.

A run directory made by ``rnnlab classify train`` holds config.toml with these
sections, ``tokenizer.json``, ``labels.json`` (the classes in order),
``data_summary.json`` (duplicates, conflicts, split sizes, LM coverage) and the
trainer's checkpoints: enough to rebuild, evaluate and predict.
"""

from __future__ import annotations

from dataclasses import dataclass

from rnnlab.data.text.distinct import CONFLICTS
from rnnlab.data.text.labelled import FORMATS
from rnnlab.models.classifier import ClassifierConfig
from rnnlab.tasks.kind import ConfigSchema
from rnnlab.tasks.transfer import TransferConfig, check_transfer_dir

# sentences are independent: no carried state; Adam with a small clip is a safe default
TRAIN_DEFAULTS = {"carry_state": False, "clip_norm": 5.0, "epochs": 10, "patience": 3}
CLASS_WEIGHTS = ("none", "balanced")


@dataclass(frozen=True)
class ClassifyDataConfig:
    """``[data]``: which labelled text, how it is split and cut into tokens."""

    path: str = "shipped:surnames"  # CSV/TSV, SST file or folder, class folder, shipped:NAME
    format: str = "auto"  # auto, csv, tsv, sst, folder
    text_column: str = "text"  # csv/tsv: the text column (Tweets_Mg: "Text")
    label_column: str = "label"  # csv/tsv: the label column (Tweets_Mg: "Classificacao")
    sst_classes: int = 5  # sst: 5 (fine-grained) or 2 (binary, neutral dropped)
    sst_phrases: bool = False  # sst: train on every labelled phrase (Tai et al. 2015 protocol)
    level: str = "char"  # "char" or "word" tokens
    lowercase: bool = False  # lower-case before building the vocabulary
    min_freq: int = 1  # rarer tokens become <unk>
    max_vocab: int | None = None  # at most this many tokens, specials included
    split: str = "regex"  # word level: "whitespace" (pre-tokenized) or "regex" (words + symbols)
    max_length: int | None = None  # keep the first N tokens of a longer text
    conflicts: str = "majority"  # a text with several labels: keep the "majority" one, or "drop"
    valid_fraction: float = 0.1  # of the distinct texts, when the data has no given split
    test_fraction: float = 0.1  # ... and for test
    split_seed: int = 0  # the shuffle of that split (stratified by label)
    batch_size: int = 32  # B in training
    eval_batch_size: int = 256  # B for valid / test

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ValueError(f"[data] format: expected one of {list(FORMATS)}, "
                             f"got {self.format!r}")
        if self.level not in ("char", "word"):
            raise ValueError(f"[data] level: expected 'char' or 'word', got {self.level!r}")
        if self.split not in ("whitespace", "regex"):
            raise ValueError(f"[data] split: expected 'whitespace' or 'regex', got {self.split!r}")
        if self.conflicts not in CONFLICTS:
            raise ValueError(f"[data] conflicts: expected one of {list(CONFLICTS)}, "
                             f"got {self.conflicts!r}")
        if self.sst_classes not in (2, 5):
            raise ValueError(f"[data] sst_classes: expected 2 or 5, got {self.sst_classes}")
        check_sizes(self)


def check_sizes(data: object) -> None:
    """The numeric [data] fields shared by classify and tag."""
    for name in ("min_freq", "batch_size", "eval_batch_size"):
        if getattr(data, name) < 1:
            raise ValueError(f"[data] {name}: expected >= 1, got {getattr(data, name)}")
    for name in ("max_vocab", "max_length"):
        value = getattr(data, name, None)
        if value is not None and value < 2:
            raise ValueError(f"[data] {name}: expected >= 2, got {value}")
    fractions = (data.valid_fraction, data.test_fraction)  # type: ignore[attr-defined]
    if min(fractions) < 0 or sum(fractions) >= 1:
        raise ValueError("[data] valid_fraction and test_fraction: expected >= 0 with a sum "
                         f"below 1, got {fractions[0]} and {fractions[1]}")


@dataclass(frozen=True)
class ClassifyObjective:
    """``[classify]``: the loss."""

    class_weights: str = "none"  # "balanced": class c weighs N / (C·N_c) (rare classes count more)
    label_smoothing: float = 0.0  # ε: the target puts 1 − ε on the class, ε spread over all

    def __post_init__(self) -> None:
        if self.class_weights not in CLASS_WEIGHTS:
            raise ValueError(f"[classify] class_weights: expected one of {list(CLASS_WEIGHTS)}, "
                             f"got {self.class_weights!r}")
        if not 0.0 <= self.label_smoothing < 1.0:
            raise ValueError(f"[classify] label_smoothing: expected in [0, 1), "
                             f"got {self.label_smoothing}")


def check(config) -> None:  # config: a RunConfig
    check_transfer_dir(config["transfer"])


SCHEMA = ConfigSchema(
    name="classify",
    sections={"data": ClassifyDataConfig, "model": ClassifierConfig,
              "classify": ClassifyObjective, "transfer": TransferConfig},
    train_defaults=TRAIN_DEFAULTS,
    check=check,
)
