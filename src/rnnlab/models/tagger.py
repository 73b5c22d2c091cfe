"""A sequence tagger (one tag per token): embeddings (+ characters), encoder, softmax or CRF.

Symbols: T time, B batch, V words, K tags, E word embedding size, F the
character features' size, D the encoder's output size. For words w_1 … w_n:

    x_t = [W_e[w_t] ; charfeat(w_t)]     (B, E + F)
    h_1 … h_n = encoder(x_1 … x_n)       (T, B, D)   bidirectional by default
    e_t = W_o h_t + b_o                  (B, K)      emission scores

then either independent softmaxes p(y_t | w) = softmax(e_t), or a linear-chain
CRF over the whole path (:mod:`rnnlab.models.crf`; Lample et al. 2016,
Ma & Hovy 2016), with BIO constraints when the tags are BIO. The loss is in
nats per token either way (the CRF's −log p(y | w) summed, divided by the tokens).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnnlab.models.char_features import CHAR_FEATURES, CharFeatures
from rnnlab.models.crf import CRF, bio_constraints, looks_like_bio
from rnnlab.models.encoders import EncoderConfig, build_encoder
from rnnlab.models.layer_groups import discriminative_groups, encoder_layer_groups
from rnnlab.models.pooling import length_mask

OUTPUTS = ("crf", "softmax")
CONSTRAINTS = ("auto", "bio", "none")


@dataclass(frozen=True)
class TaggerConfig(EncoderConfig):
    """``[model]`` of a tag run: the encoder fields, then words, characters and the output."""

    bidirectional: bool = True  # a tagger reads the whole sentence (D = 2)
    embedding_size: int = 100  # E (from an LM: must equal the LM's)
    char_features: str = "cnn"  # none, cnn (Ma & Hovy 2016) or rnn (Lample et al. 2016)
    char_embedding_size: int = 25  # E_c
    char_hidden_size: int = 30  # cnn: filters F; rnn: H_c per direction
    char_kernel_size: int = 3  # cnn: filter width k
    output: str = "crf"  # crf (linear-chain CRF, Viterbi) or softmax (one tag per token)
    constraints: str = "auto"  # crf: "bio" transition rules, "none", "auto" (bio if the tags are)
    dropout_embedding: float = 0.0  # dropout on [word ; char] inputs
    dropout_output: float = 0.0  # dropout on the encoder outputs

    def __post_init__(self) -> None:
        super().__post_init__()
        checks = (("char_features", CHAR_FEATURES), ("output", OUTPUTS),
                  ("constraints", CONSTRAINTS))
        for name, allowed in checks:
            if getattr(self, name) not in allowed:
                raise ValueError(f"[model] {name}: expected one of {list(allowed)}, "
                                 f"got {getattr(self, name)!r}")
        for name in ("embedding_size", "char_embedding_size", "char_hidden_size",
                     "char_kernel_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"[model] {name}: expected >= 1, got {getattr(self, name)}")
        for name in ("dropout_embedding", "dropout_output"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ValueError(f"[model] {name}: expected in [0, 1), got {getattr(self, name)}")


class SequenceTagger(nn.Module):
    """words (T, B), lengths (B,), chars (T, B, W), char_lengths (T, B) -> emissions (T, B, K);
    ``loss`` and ``decode`` (Viterbi with a CRF)."""

    def __init__(self, config: TaggerConfig, vocab_size: int, char_vocab_size: int,
                 tags: Sequence[str], lr_decay: float = 1.0) -> None:
        super().__init__()
        if vocab_size < 2 or len(tags) < 2:
            raise ValueError(f"expected a vocabulary of >= 2 words and >= 2 tags, got "
                             f"{vocab_size} and {len(tags)}")
        self.config, self.tags, self.lr_decay = config, list(tags), lr_decay
        self.embedding = nn.Embedding(vocab_size, config.embedding_size)  # W_e (V, E)
        size = config.embedding_size
        self.chars: CharFeatures | None = None
        if config.char_features != "none":
            self.chars = CharFeatures(config.char_features, char_vocab_size,
                                      config.char_embedding_size, config.char_hidden_size,
                                      config.char_kernel_size)
            size += self.chars.output_size  # E + F
        self.drop_embedding = nn.Dropout(config.dropout_embedding)
        self.encoder = build_encoder(config, size)
        self.drop_output = nn.Dropout(config.dropout_output)
        self.emit = nn.Linear(self.encoder.output_size, len(tags))  # W_o (K, D)
        self.crf: CRF | None = None
        if config.output == "crf":
            bio = config.constraints == "bio" or (config.constraints == "auto"
                                                  and looks_like_bio(tags))
            if config.constraints == "bio" and not looks_like_bio(tags):
                raise ValueError(f"[model] constraints = 'bio' but the tags are not BIO: "
                                 f"{self.tags[:10]}")
            self.crf = CRF(len(tags), bio_constraints(tags) if bio else None)

    def forward(self, words: Tensor, lengths: Tensor, chars: Tensor | None = None,
                char_lengths: Tensor | None = None) -> Tensor:
        """Emission scores e (T, B, K); ``chars`` (T, B, W) and ``char_lengths`` (T, B) are
        each word's character ids and count (needed with character features)."""
        if words.dim() != 2 or lengths.shape != words.shape[1:]:
            raise ValueError(f"expected words (T, B) and lengths (B,), got "
                             f"{tuple(words.shape)} and {tuple(lengths.shape)}")
        x = self.embedding(words)  # (T, B, E)
        if self.chars is not None:
            if chars is None or char_lengths is None or chars.shape[:2] != words.shape:
                raise ValueError("this tagger reads characters: expected chars (T, B, W) and "
                                 "char_lengths (T, B)")
            x = torch.cat([x, self._char_features(chars, char_lengths, lengths)],
                          dim=-1)  # (T, B, E + F)
        outputs, _ = self.encoder(self.drop_embedding(x), lengths=lengths)  # (T, B, D)
        return self.emit(self.drop_output(outputs))  # (T, B, K)

    def _char_features(self, chars: Tensor, char_lengths: Tensor, lengths: Tensor) -> Tensor:
        steps, batch, _ = chars.shape
        mask = length_mask(lengths.to(chars.device), steps)  # (T, B): real words
        feats = self.chars(chars[mask], char_lengths[mask].clamp(min=1))  # (N, F), real words

        out = feats.new_zeros(steps, batch, feats.size(-1))
        out[mask] = feats
        return out  # (T, B, F)

    def loss(self, emissions: Tensor, tags: Tensor, lengths: Tensor) -> Tensor:
        """Mean nats per real token: the CRF's −log p(y | w) or the softmax cross-entropy."""
        mask = length_mask(lengths.to(emissions.device), emissions.size(0))  # (T, B)
        tokens = mask.sum()
        if self.crf is not None:
            return self.crf.nll(emissions, tags, mask).sum() / tokens
        return F.cross_entropy(emissions[mask], tags[mask])

    def decode(self, emissions: Tensor, lengths: Tensor) -> list[list[int]]:
        """The tag ids of each sentence: Viterbi (CRF) or the argmax per token."""
        mask = length_mask(lengths.to(emissions.device), emissions.size(0))
        if self.crf is not None:
            return self.crf.decode(emissions, mask)
        best = emissions.argmax(-1).t().tolist()  # (B, T)
        return [row[:n] for row, n in zip(best, lengths.tolist(), strict=True)]

    def layer_groups(self) -> list[list[nn.Parameter]]:
        """Bottom-up: word (+ char) embeddings, each encoder layer, emissions + CRF."""
        bottom = [*self.embedding.parameters(),
                  *(self.chars.parameters() if self.chars is not None else ())]
        top = [*self.emit.parameters(), *(self.crf.parameters() if self.crf else ())]
        return [bottom, *encoder_layer_groups(self.encoder), top]

    def param_groups(self) -> list[dict[str, Any]]:
        return discriminative_groups(self.layer_groups(), self.lr_decay)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())
