"""The sections of a tag run: ``[data]``, ``[model]``, ``[transfer]`` (and ``[train]``).

A run directory made by ``rnnlab tag train`` holds config.toml, ``tokenizer.json``
(words), ``chars.json`` (characters), ``tags.json``, ``data_summary.json`` and
the trainer's checkpoints: enough to rebuild, evaluate and predict.
"""

from __future__ import annotations

from dataclasses import dataclass

from rnnlab.data.text.distinct import CONFLICTS
from rnnlab.models.tagger import TaggerConfig
from rnnlab.tasks.classify.config import check_sizes
from rnnlab.tasks.kind import ConfigSchema
from rnnlab.tasks.transfer import TransferConfig, check_transfer_dir

TRAIN_DEFAULTS = {"carry_state": False, "clip_norm": 5.0, "epochs": 10, "patience": 3}
FORMATS = ("auto", "conll", "conllu")


@dataclass(frozen=True)
class TagDataConfig:
    """``[data]``: which tagged sentences, which tags, how they are split and batched."""

    path: str = ""  # a .conll/.conllu file, or a folder of train/dev/test files
    format: str = "auto"  # auto (by suffix), conll (token ... TAG) or conllu
    column: str = "upos"  # conllu: the tag column (upos, xpos, deprel, …)
    tag_column: int = -1  # conll: the tag's column (-1: the last)
    lowercase: bool = False  # lower-case words for the word vocabulary (characters keep case)
    min_freq: int = 1  # rarer words become <unk> (their characters still count)
    max_vocab: int | None = None  # at most this many words, specials included
    conflicts: str = "majority"  # a sentence seen with several taggings: "majority" or "drop"
    valid_fraction: float = 0.1  # of the distinct sentences, when there is no given split
    test_fraction: float = 0.1  # ... and for test
    split_seed: int = 0  # the shuffle of that split
    batch_size: int = 32  # B sentences in training
    eval_batch_size: int = 128  # B for valid / test

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ValueError(f"[data] format: expected one of {list(FORMATS)}, "
                             f"got {self.format!r}")
        if self.conflicts not in CONFLICTS:
            raise ValueError(f"[data] conflicts: expected one of {list(CONFLICTS)}, "
                             f"got {self.conflicts!r}")
        check_sizes(self)


def check(config) -> None:  # config: a RunConfig
    if not config["data"].path:
        raise ValueError("[data] path: expected a CoNLL or CoNLL-U file or folder (e.g. "
                         "../shared/data/lener-br or ../shared/data/ud-portuguese-bosque)")
    check_transfer_dir(config["transfer"])


SCHEMA = ConfigSchema(
    name="tag",
    sections={"data": TagDataConfig, "model": TaggerConfig, "transfer": TransferConfig},
    train_defaults=TRAIN_DEFAULTS,
    check=check,
)
