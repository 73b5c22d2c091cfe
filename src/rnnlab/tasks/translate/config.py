"""The sections of a translation run: ``[data]``, ``[model]``, ``[translate]``, ``[decode]``.

A run directory made by ``rnnlab translate train`` (or ``rnnlab train`` with
``[task] kind = "translate"``) holds ``config.toml`` with these sections, the
two tokenizers (``source_tokenizer.json``, ``target_tokenizer.json``; one
file, ``tokenizer.json``, when shared), ``split.json`` (the sizes of the split)
and the trainer's checkpoints: enough to rebuild and use the model.

Text handling, decided here and documented once:

* ``normalize = "nfc"`` keeps case, accents and punctuation; the word level
  then splits with the Unicode word regex (letters and digits joined by inner
  hyphens or apostrophes are one token — "l'homme", "don't", "peut-être" —
  every other symbol is its own token) and ``lowercase`` (on by default for
  words) folds case, scored case-insensitively (sacrebleu ``case:lc``);
* ``normalize = "tutorial"`` is the PyTorch tutorial's ASCII text (see
  :mod:`rnnlab.data.text.parallel`); references are normalised the same way;
* ``level = "bpe"`` keeps the text as written (cased, byte-level BPE through
  ``tokenizers``), one vocabulary per language or one shared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rnnlab.data.text.parallel import FILTERS, NORMALIZATIONS
from rnnlab.models.seq2seq import Seq2SeqConfig
from rnnlab.tasks.kind import ConfigSchema

if TYPE_CHECKING:
    from rnnlab.tasks.config import RunConfig

LEVELS = ("word", "bpe")
# the PyTorch tutorial's data (prefix filter, < 10 words, its normalisation), French -> English
TUTORIAL_PRESET = {"normalize": "tutorial", "filter": "tutorial-prefixes", "max_words": 9,
                   "reverse": True}


@dataclass(frozen=True)
class TranslateDataConfig:
    """``[data]``: the parallel file, its direction, filters, tokens and batches."""

    path: str = ""  # a source<TAB>target[<TAB>…] file (.gz read too), e.g. tatoeba fra.txt.gz
    languages: tuple[str, str] = ("en", "fr")  # the languages of the first and second column
    reverse: bool = False  # translate the second column into the first (fr -> en)
    normalize: str = "nfc"  # "nfc" (text as written) or "tutorial" (lower-case ASCII, a-z!?)
    filter: str = "none"  # "none" or "tutorial-prefixes" (English side starts "i am", "he is" …)
    max_words: int | None = None  # keep pairs with at most this many words on each side
    level: str = "word"  # "word" (per-language vocabularies) or "bpe" (subwords, `tokenizers`)
    lowercase: bool = True  # word level: fold case (scored case-insensitively)
    min_freq: int = 2  # word level: rarer words become <unk>
    max_vocab: int | None = None  # at most this many tokens per vocabulary (bpe: 8000)
    shared_vocab: bool = False  # bpe: one vocabulary for both languages
    valid_fraction: float = 0.05  # share of the distinct source sentences held out for validation
    test_fraction: float = 0.05  # ... and for test
    split_seed: int = 0  # shuffles the distinct source sentences before the split
    batch_size: int = 64  # sentence pairs per training step
    eval_batch_size: int = 128  # sentence pairs per evaluation / decoding batch

    def __post_init__(self) -> None:
        for name, value, choices in (("normalize", self.normalize, NORMALIZATIONS),
                                     ("filter", self.filter, FILTERS),
                                     ("level", self.level, LEVELS)):
            if value not in choices:
                raise ValueError(f"[data] {name}: expected one of {list(choices)}, got {value!r}")
        for name in ("min_freq", "batch_size", "eval_batch_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"[data] {name}: expected >= 1, got {getattr(self, name)}")
        if self.max_words is not None and self.max_words < 1:
            raise ValueError(f"[data] max_words: expected >= 1, got {self.max_words}")
        if self.max_vocab is not None and self.max_vocab < 3:
            raise ValueError(f"[data] max_vocab: expected >= 3, got {self.max_vocab}")
        if self.shared_vocab and self.level != "bpe":
            raise ValueError("[data] shared_vocab: one vocabulary for both sides is for "
                             "level = 'bpe'")
        fractions = (self.valid_fraction, self.test_fraction)
        if min(fractions) < 0 or sum(fractions) >= 1:
            raise ValueError("[data] valid_fraction and test_fraction: expected >= 0 with a sum "
                             f"below 1, got {self.valid_fraction} and {self.test_fraction}")

    @property
    def source_language(self) -> str:
        return self.languages[1] if self.reverse else self.languages[0]

    @property
    def target_language(self) -> str:
        return self.languages[0] if self.reverse else self.languages[1]


@dataclass(frozen=True)
class TranslateObjectiveConfig:
    """``[translate]``: how the decoder is fed in training."""

    teacher_forcing: float = 1.0  # probability that a step reads the gold previous token
    teacher_forcing_end: float | None = None  # linear schedule: the ratio at the last epoch
    label_smoothing: float = 0.0  # ε of label-smoothed cross-entropy (Szegedy et al. 2016)

    def __post_init__(self) -> None:
        for name in ("teacher_forcing", "teacher_forcing_end"):
            value = getattr(self, name)
            if value is not None and not 0.0 <= value <= 1.0:
                raise ValueError(f"[translate] {name}: expected a probability, got {value}")
        if not 0.0 <= self.label_smoothing < 1.0:
            raise ValueError(f"[translate] label_smoothing: expected [0, 1), got "
                             f"{self.label_smoothing}")

    def ratio(self, epoch: int, epochs: int) -> float:
        """The teacher-forcing ratio of ``epoch`` (0-based) of ``epochs``."""
        if self.teacher_forcing_end is None or epochs <= 1:
            return self.teacher_forcing
        share = min(epoch / (epochs - 1), 1.0)
        return self.teacher_forcing + share * (self.teacher_forcing_end - self.teacher_forcing)


@dataclass(frozen=True)
class DecodeConfig:
    """``[decode]``: how translations are made at evaluation (and the CLI's defaults)."""

    beam: int = 5  # beam width for the beam-search evaluation (1 = greedy only)
    length_penalty: float = 1.0  # α: rank hypotheses by log p / length^α (1 = per-token mean)
    max_length_ratio: float = 1.5  # at most ratio · |source| + max_length_extra tokens
    max_length_extra: int = 5  # (see max_length_ratio)
    eval_sentences: int | None = None  # score N evenly spaced test sources (None: all)
    heatmaps: int = 3  # attention heatmaps of test sentences in the report

    def __post_init__(self) -> None:
        if self.beam < 1 or self.max_length_extra < 0 or self.heatmaps < 0:
            raise ValueError("[decode] expected beam >= 1, max_length_extra >= 0, heatmaps >= 0")
        if self.max_length_ratio <= 0 or self.length_penalty < 0:
            raise ValueError("[decode] expected max_length_ratio > 0 and length_penalty >= 0")
        if self.eval_sentences is not None and self.eval_sentences < 1:
            raise ValueError("[decode] eval_sentences: expected >= 1")


def check(config: RunConfig) -> None:
    """Rules across fields, before any data is read."""
    if not config["data"].path:
        raise ValueError("[data] path: expected a parallel source<TAB>target file (e.g. "
                         "../shared/data/tatoeba-eng-fra/fra.txt.gz), got none")


SCHEMA = ConfigSchema(
    name="translate",
    sections={"data": TranslateDataConfig, "model": Seq2SeqConfig,
              "translate": TranslateObjectiveConfig, "decode": DecodeConfig},
    train_defaults={"clip_norm": 1.0, "epochs": 10},
    check=check,
)
