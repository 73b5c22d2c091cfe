"""Tokenizers: characters, words and (optionally) BPE subwords, saved as JSON.

A tokenizer maps text to integer ids and back. Every vocabulary starts with the
two special tokens ``<unk>`` (id 0: anything not in the vocabulary) and
``<eos>`` (id 1: end of a line / sentence). A tokenizer is saved beside the
model as a small JSON file (never pickle), and :func:`load_tokenizer` rebuilds
it from that file alone.

Text is NFC-normalised when read (see ``reading.py``) and all splitting is
Unicode-aware, so "não", "ação" and "caminhão" stay single words.
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

UNK, EOS = "<unk>", "<eos>"
SPECIALS = (UNK, EOS)
FORMAT = "rnnlab-tokenizer"
_WORD_SPLITS = ("whitespace", "regex")
# a word: letters/digits (any script) joined by inner hyphens or apostrophes; else one symbol
_WORD_RE = re.compile(r"<unk>|<eos>|\w+(?:[-'’]\w+)*|[^\w\s]")


class Tokenizer(ABC):
    """Shared behaviour: a vocabulary (list of token strings) and its index."""

    kind = "base"

    def __init__(self, vocab: Sequence[str]) -> None:
        if list(vocab[:2]) != list(SPECIALS):
            raise ValueError(f"expected a vocabulary starting with {SPECIALS}, got {vocab[:2]}")
        if len(set(vocab)) != len(vocab):
            raise ValueError("the vocabulary holds duplicate tokens")
        self.vocab: list[str] = list(vocab)
        self.index: dict[str, int] = {t: i for i, t in enumerate(self.vocab)}
        self.unk_id, self.eos_id = 0, 1

    def __len__(self) -> int:
        return len(self.vocab)

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    @abstractmethod
    def split(self, text: str) -> list[str]:
        """Text -> token strings (before the vocabulary look-up)."""

    def encode(self, text: str, *, add_eos: bool = False) -> list[int]:
        """Text -> ids; unknown tokens become ``<unk>``."""
        ids = [self.index.get(token, self.unk_id) for token in self.split(text)]
        return [*ids, self.eos_id] if add_eos else ids

    def encode_lines(self, lines: Iterable[str]) -> list[int]:
        """Lines -> one id stream with ``<eos>`` after every line (the LM training stream)."""
        out: list[int] = []
        for line in lines:
            out.extend(self.encode(line, add_eos=True))
        return out

    def tokens(self, ids: Iterable[int]) -> list[str]:
        """Ids -> token strings."""
        return [self.vocab[i] for i in ids]

    @abstractmethod
    def decode(self, ids: Iterable[int]) -> str:
        """Ids -> text; ``<eos>`` becomes a line break."""

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "version": 1, "type": self.kind, "vocab": self.vocab}

    def save(self, path: str | Path) -> None:
        """Write the tokenizer as UTF-8 JSON (accents kept as they are, not escaped)."""
        Path(path).write_text(
            json.dumps(self.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8"
        )


def _counted_vocab(counts: Counter, min_freq: int, max_size: int | None) -> list[str]:
    """Specials, then tokens by falling count (ties in alphabetical order: deterministic)."""
    if min_freq < 1:
        raise ValueError(f"expected min_freq >= 1, got {min_freq}")
    if max_size is not None and max_size < len(SPECIALS):
        raise ValueError(f"expected max_size >= {len(SPECIALS)}, got {max_size}")
    kept = sorted(
        (t for t, c in counts.items() if c >= min_freq and t not in SPECIALS),
        key=lambda t: (-counts[t], t),
    )
    if max_size is not None:
        kept = kept[: max_size - len(SPECIALS)]
    return [*SPECIALS, *kept]


class WordTokenizer(Tokenizer):
    """Words: split on whitespace (pre-tokenized text, PTB) or with a Unicode word regex."""

    kind = "word"

    def __init__(self, vocab: Sequence[str], lowercase: bool = False, split: str = "whitespace"):
        if split not in _WORD_SPLITS:
            raise ValueError(f"expected split in {_WORD_SPLITS}, got {split!r}")
        super().__init__(vocab)
        self.lowercase = lowercase
        self.mode = split

    @classmethod
    def build(
        cls,
        lines: Iterable[str],
        *,
        min_freq: int = 1,  # rarer words become <unk>
        max_size: int | None = None,  # keep the most frequent words only (specials included)
        lowercase: bool = False,
        split: str = "whitespace",
    ) -> WordTokenizer:
        """The vocabulary of a training corpus."""
        probe = cls(list(SPECIALS), lowercase, split)
        counts = Counter(t for line in lines for t in probe.split(line))
        if not counts:
            raise ValueError("cannot build a vocabulary from empty text")
        return cls(_counted_vocab(counts, min_freq, max_size), lowercase, split)

    def split(self, text: str) -> list[str]:
        if self.lowercase:
            text = text.lower()
        return text.split() if self.mode == "whitespace" else _WORD_RE.findall(text)

    def decode(self, ids: Iterable[int]) -> str:
        words = ["\n" if t == EOS else t for t in self.tokens(ids)]
        return " ".join(words).replace(" \n ", "\n").replace(" \n", "\n").replace("\n ", "\n")

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "lowercase": self.lowercase, "split": self.mode}


class CharTokenizer(Tokenizer):
    """Characters (Unicode code points after NFC): "ã" is one token."""

    kind = "char"

    def __init__(self, vocab: Sequence[str], lowercase: bool = False):
        super().__init__(vocab)
        self.lowercase = lowercase

    @classmethod
    def build(
        cls,
        lines: Iterable[str],
        *,
        min_freq: int = 1,
        max_size: int | None = None,
        lowercase: bool = False,
    ) -> CharTokenizer:
        counts: Counter = Counter()
        for line in lines:
            counts.update(line.lower() if lowercase else line)
        if not counts:
            raise ValueError("cannot build a vocabulary from empty text")
        return cls(_counted_vocab(counts, min_freq, max_size), lowercase)

    def split(self, text: str) -> list[str]:
        return list(text.lower() if self.lowercase else text)

    def decode(self, ids: Iterable[int]) -> str:
        return "".join("\n" if t == EOS else t for t in self.tokens(ids))

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "lowercase": self.lowercase}
