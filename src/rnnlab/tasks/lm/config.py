"""The sections of a language-model run: ``[data]``, ``[model]``, ``[lm]`` (and ``[train]``).

A run directory made by ``rnnlab lm train`` (or ``rnnlab train`` with
``[task] kind = "lm"``) holds ``config.toml`` with these sections,
``tokenizer.json`` and the trainer's checkpoints: enough to rebuild the model.
"""

from __future__ import annotations

from dataclasses import dataclass

from rnnlab.models.language_model import LMConfig
from rnnlab.tasks.kind import ConfigSchema

# a stream task: the state is carried across chunks (truncated BPTT) and the
# gradient clipped (Zaremba et al. 2014 clip at 5 with SGD; pytorch/examples at 0.25)
TRAIN_DEFAULTS = {"carry_state": True, "clip_norm": 0.25}
LEVELS = ("word", "char", "bpe")


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

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"[data] level: expected one of {list(LEVELS)}, got {self.level!r}")
        if self.split not in ("whitespace", "regex"):
            raise ValueError(f"[data] split: expected 'whitespace' or 'regex', got {self.split!r}")
        for name in ("min_freq", "batch_size", "eval_batch_size", "bptt"):
            if getattr(self, name) < 1:
                raise ValueError(f"[data] {name}: expected >= 1, got {getattr(self, name)}")
        for name in ("max_vocab", "max_train_tokens"):
            value = getattr(self, name)
            if value is not None and value < 2:
                raise ValueError(f"[data] {name}: expected >= 2, got {value}")
        fractions = (self.valid_fraction, self.test_fraction)
        if min(fractions) < 0 or sum(fractions) >= 1:
            raise ValueError("[data] valid_fraction and test_fraction: expected >= 0 with a sum "
                             f"below 1, got {self.valid_fraction} and {self.test_fraction}")


@dataclass(frozen=True)
class LMObjectiveConfig:
    """``[lm]``: terms added to the cross-entropy in training (Merity et al. 2018)."""

    ar: float = 0.0  # α of activation regularisation α·mean(h̃²) (AWD-LSTM: 2)
    tar: float = 0.0  # β of temporal activation regularisation β·mean((h_t − h_{t−1})²) (1)

    def __post_init__(self) -> None:
        if self.ar < 0 or self.tar < 0:
            raise ValueError(f"[lm] ar and tar: expected >= 0, got {self.ar} and {self.tar}")


SCHEMA = ConfigSchema(
    name="lm",
    sections={"data": LMDataConfig, "model": LMConfig, "lm": LMObjectiveConfig},
    train_defaults=TRAIN_DEFAULTS,
)
