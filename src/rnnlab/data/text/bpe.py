"""Subword tokens by byte-level BPE (Sennrich et al. 2016), through the ``tokenizers`` library.

An optional extra: ``pip install "rnnlab[bpe]"``. Byte-level pre-tokenization
(GPT-2 style) means every Unicode string is representable, so a BPE model never
needs ``<unk>`` for unseen accents; the two specials keep ids 0 and 1 like the
other tokenizers. The trained ``tokenizers`` model is stored inside rnnlab's
JSON file as the library's own JSON string, so loading runs no code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rnnlab.data.text.tokenizers import SPECIALS, Tokenizer


def _require_tokenizers() -> Any:
    try:
        import tokenizers
    except ImportError:
        raise ImportError(
            "BPE tokenization needs the optional 'tokenizers' package: "
            'pip install "rnnlab[bpe]" (or pip install tokenizers)'
        ) from None
    return tokenizers


class BPETokenizer(Tokenizer):
    """Byte-level BPE subwords; ``<eos>`` after each line like the other tokenizers."""

    kind = "bpe"

    def __init__(self, model: Any, lowercase: bool = False) -> None:
        size = model.get_vocab_size()
        super().__init__([model.id_to_token(i) for i in range(size)])
        self.model = model
        self.lowercase = lowercase

    @classmethod
    def build(
        cls,
        lines: Sequence[str],
        *,
        vocab_size: int = 8000,  # merges stop when the vocabulary reaches this size
        min_freq: int = 2,  # a pair must occur this often to be merged
        lowercase: bool = False,
    ) -> BPETokenizer:
        tk = _require_tokenizers()
        if vocab_size < 256 + len(SPECIALS):
            raise ValueError(f"expected vocab_size >= 258 (bytes + specials), got {vocab_size}")
        model = tk.Tokenizer(tk.models.BPE(unk_token=SPECIALS[0]))
        model.pre_tokenizer = tk.pre_tokenizers.ByteLevel(add_prefix_space=False)
        model.decoder = tk.decoders.ByteLevel()
        trainer = tk.trainers.BpeTrainer(
            vocab_size=vocab_size,
            min_frequency=min_freq,
            special_tokens=list(SPECIALS),  # ids 0 and 1, as for words and characters
            initial_alphabet=tk.pre_tokenizers.ByteLevel.alphabet(),
            show_progress=False,
        )
        texts = [line.lower() if lowercase else line for line in lines]
        if not any(t.strip() for t in texts):
            raise ValueError("cannot build a vocabulary from empty text")
        model.train_from_iterator(texts, trainer=trainer)
        return cls(model, lowercase)

    def split(self, text: str) -> list[str]:
        return self.model.encode(
            text.lower() if self.lowercase else text, add_special_tokens=False
        ).tokens

    def encode(self, text: str, *, add_eos: bool = False) -> list[int]:
        ids = self.model.encode(
            text.lower() if self.lowercase else text, add_special_tokens=False
        ).ids
        return [*ids, self.eos_id] if add_eos else ids

    def decode(self, ids: Iterable[int]) -> str:
        pieces, current = [], []
        for i in ids:
            if i == self.eos_id:
                pieces.append(self.model.decode(current))
                current = []
            else:
                current.append(i)
        pieces.append(self.model.decode(current))
        return "\n".join(pieces)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "lowercase": self.lowercase, "model": self.model.to_str()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BPETokenizer:
        tk = _require_tokenizers()
        tokenizer = cls(tk.Tokenizer.from_str(data["model"]), data.get("lowercase", False))
        if tokenizer.vocab != data["vocab"]:
            raise ValueError("BPE tokenizer file is inconsistent: model and vocab lists differ")
        return tokenizer
