"""Tokenizers by name: build one of a level from training text, or rebuild one from its JSON.

The one place that knows every kind (word, char, BPE), so the kinds themselves
never import each other.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rnnlab.data.text.bpe import BPETokenizer
from rnnlab.data.text.tokenizers import FORMAT, CharTokenizer, Tokenizer, WordTokenizer


def load_tokenizer(path: str | Path) -> Tokenizer:
    """Rebuild a tokenizer from its JSON file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"tokenizer file not found: {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"{path} is not a tokenizer JSON file: {err}") from None
    return tokenizer_from_dict(data, source=str(path))


def tokenizer_from_dict(data: dict[str, Any], source: str = "tokenizer") -> Tokenizer:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{source}: expected an rnnlab tokenizer (format {FORMAT!r})")
    kind = data.get("type")
    if kind == "word":
        return WordTokenizer(
            data["vocab"], data.get("lowercase", False), data.get("split", "whitespace")
        )
    if kind == "char":
        return CharTokenizer(data["vocab"], data.get("lowercase", False))
    if kind == "bpe":
        return BPETokenizer.from_dict(data)
    raise ValueError(f"{source}: expected tokenizer type word, char or bpe, got {kind!r}")


def build_tokenizer(
    level: str,
    lines: Sequence[str],
    *,
    min_freq: int = 1,
    max_size: int | None = None,
    lowercase: bool = False,
    split: str = "whitespace",
) -> Tokenizer:
    """A tokenizer of ``level`` ("word", "char" or "bpe") built on training lines."""
    if level == "word":
        return WordTokenizer.build(
            lines, min_freq=min_freq, max_size=max_size, lowercase=lowercase, split=split
        )
    if level == "char":
        return CharTokenizer.build(lines, min_freq=min_freq, max_size=max_size, lowercase=lowercase)
    if level == "bpe":
        return BPETokenizer.build(
            lines, vocab_size=max_size or 8000, min_freq=min_freq, lowercase=lowercase
        )
    raise ValueError(f"expected level 'word', 'char' or 'bpe', got {level!r}")
