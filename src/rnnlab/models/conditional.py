"""Vector -> sequence: a recurrent decoder driven by a condition vector (conditional generation).

Symbols: B batch, V vocabulary (characters), C condition size, H hidden size,
L layers. The condition v (B, C) is a class embedding (``condition`` given
as class ids (B,): v = W_v[class]) or any feature vector (B, F) read through a
linear map (v = W_f f). It drives :class:`~rnnlab.models.decoder.RecurrentDecoder`
(the same decoder an encoder–decoder uses) in one of three ways:

    "first"   s_0 = tanh(W_b v) per layer: the vector sets the state before the first
              step (as an encoder's context vector starts a decoder; Sutskever 2014)
    "every"   x_t = [E y_{t-1}; v] and h̃_t = tanh(W_c [s_t; v]) at every step, s_0 = 0
              (the PyTorch char-RNN generation tutorial; Mikolov & Zweig 2012)
    "none"    no condition: the unconditional model, the baseline a condition must beat

Generating surnames "given a language" is the course's reference exercise;
:class:`ConditionedLM` presents the model with one condition as a language
model, so rnnlab's samplers and beam search run on it unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn

from rnnlab.cells.init import check_forget_bias
from rnnlab.cells.spec import get_cell
from rnnlab.models.decoder import DecoderSpec, DecoderState, RecurrentDecoder

MODES = ("first", "every", "none")


@dataclass(frozen=True)
class ConditionalConfig:
    """``[model]`` of a conditional-generation run."""

    cell: str = "gru"  # a registered cell name
    mode: str = "every"  # how the condition drives the decoder: first | every | none
    condition_size: int = 32  # C: the class embedding (feature vectors keep their own size)
    embedding_size: int = 32  # E of the tokens (characters)
    hidden_size: int = 128  # H
    num_layers: int = 1  # L
    dropout: float = 0.0  # between stacked layers
    dropout_input: float = 0.1  # on the embedded tokens
    dropout_output: float = 0.0  # on h̃ before the output projection
    tie_embeddings: bool = False  # output projection = token embedding (Press & Wolf 2017)
    backend: str = "auto"  # auto (fused kernel when equivalent), explicit, fused
    forget_bias: float | None = None  # LSTM forget / GRU update gate bias (None: PyTorch)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"expected mode in {MODES}, got {self.mode!r}")
        for name in ("condition_size", "embedding_size", "hidden_size", "num_layers"):
            if getattr(self, name) < 1:
                raise ValueError(f"expected {name} >= 1, got {getattr(self, name)}")
        for name in ("dropout", "dropout_input", "dropout_output"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ValueError(f"expected {name} in [0, 1), got {getattr(self, name)}")
        check_forget_bias(get_cell(self.cell), self.forget_bias, bias=True)


class ConditionalGenerator(nn.Module):
    """condition (B,) ids or (B, F) features + tokens (T, B) -> next-token logits (T, B, V)."""

    def __init__(self, config: ConditionalConfig, vocab_size: int, *,
                 num_classes: int | None = None, feature_size: int | None = None) -> None:
        super().__init__()
        if (num_classes is None) == (feature_size is None):
            raise ValueError("give num_classes (class ids) or feature_size (feature vectors)")
        c = config
        self.config = c
        size = c.condition_size if num_classes is not None else feature_size  # C
        self.condition = (nn.Embedding(num_classes, size) if num_classes is not None
                          else nn.Identity())  # W_v, or the features as they are
        every = c.mode == "every"
        self.decoder = RecurrentDecoder(DecoderSpec(
            cell=c.cell, vocab_size=vocab_size, embedding_size=c.embedding_size,
            hidden_size=c.hidden_size, num_layers=c.num_layers,
            context_size=size if every else 0, feed_context=every,
            tie_embeddings=c.tie_embeddings, dropout=c.dropout, dropout_input=c.dropout_input,
            dropout_output=c.dropout_output, backend=c.backend, forget_bias=c.forget_bias))
        self.bridge = nn.ModuleList(  # W_b per state tensor (h; and c for the LSTM)
            nn.Linear(size, c.hidden_size) for _ in self.decoder.rnn.state_names
        ) if c.mode == "first" else None

    def start(self, condition: Tensor) -> DecoderState:
        """The decoder state before the first token, for a batch of conditions."""
        v = self.condition(condition)  # (B, C)
        if v.dim() != 2:
            raise ValueError(f"expected class ids (B,) or features (B, F), got "
                             f"{tuple(condition.shape)}")
        rnn_state = None
        if self.bridge is not None:
            layers = self.config.num_layers
            parts = tuple(torch.tanh(w(v))[None].expand(layers, -1, -1).contiguous()
                          for w in self.bridge)  # (L, B, H) each
            rnn_state = parts if len(parts) > 1 else parts[0]
        return self.decoder.initial_state(v.size(0), rnn_state,
                                          v if self.config.mode == "every" else None)

    def forward(self, condition: Tensor, target_in: Tensor) -> Tensor:
        """Teacher-forced: logits (T, B, V) of every next token."""
        logits, _ = self.decoder(target_in, self.start(condition))
        return logits


class ConditionedLM(nn.Module):
    """One condition, presented as a language model ``(tokens (T, B), state) -> (logits, state)``
    for :func:`rnnlab.generation.generate` and :func:`rnnlab.generation.beam_search`."""

    def __init__(self, model: ConditionalGenerator, condition: Tensor) -> None:
        super().__init__()
        self.model = model
        self.register_buffer("cond", condition[:1])  # one condition: (1,) or (1, F)

    def forward(self, tokens: Tensor, state: Any = None) -> tuple[Tensor, Any]:
        if state is None:
            state = self.model.start(self.cond.expand(tokens.size(1), *self.cond.shape[1:]))
        logits = []
        for t in range(tokens.size(0)):
            step_logits, state, _ = self.model.decoder.step(tokens[t], state)
            logits.append(step_logits)
        return torch.stack(logits), state  # (T, B, V)
