"""A language model: embedding -> sequence encoder -> softmax over the vocabulary.

Symbols: T time, B batch, V vocabulary, E embedding size, H hidden size,
L layers. For tokens w_1 … w_T the model computes, for every t,

    x_t = W_e[w_t]                                  embedding            (B, E)
    h_t^(l) = cell(h_t^(l-1), h_{t-1}^(l))          layer l = 1 … L      (B, H)
    p(w_{t+1} | w_≤t) = softmax(W_s h_t^(L) + b_s)  the next-word distribution (B, V)

and is trained on the mean cross-entropy −(1/TB) Σ log p(w_{t+1} | w_≤t).

Sanity number (STYLE.md habit 10): with the small uniform init below the
logits start near 0, so the first distribution is close to uniform and the
step-0 loss is ≈ log V (9.21 for a 10 000-word vocabulary); tests check it.

Weight tying (Press & Wolf 2017; Inan et al. 2017) uses W_s = W_e, which
needs the last layer to output E values: the last layer is then E wide and the
others H, as in AWD-LSTM. Each layer is its own single-layer encoder so
locked dropout can sit between layers and weight drop acts per layer.
Bidirectional layers are not allowed: the next word must not be seen.

The encoder is any causal one of :mod:`rnnlab.models.encoders` (``encoder =
"rnn"`` above; ``"transformer"`` — the decoder-only Transformer LM, ``"cnn"``,
``"mlp"`` — Bengio et al. 2003's neural LM over the last ``window`` words). A
non-recurrent encoder is one module of ``num_layers`` blocks whose own
``dropout`` acts inside it; its state is what it carries between chunks (the
last inputs: exact for the CNN and the MLP within their context, the last
``memory`` steps for the Transformer, which otherwise attends within its chunk).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn

from rnnlab.models.encoders import EncoderConfig, build_encoder, encoder_config
from rnnlab.models.regularizers import LockedDropout, embedding_dropout
from rnnlab.models.streaming import LMStream

DROPOUT_MASKS = ("locked", "step")
LayerState = Any  # one layer's state: h (1, B, H) or (h, c); another encoder's own state
LMState = list[LayerState]  # one entry per layer (one layer for a non-recurrent encoder)


@dataclass(frozen=True)
class LMConfig(EncoderConfig):
    """How a language model is built (``[model]`` in a run's config.toml)."""

    cell: str = "lstm"  # rnn: a registry name: lstm, gru, ln-lstm, zoneout-gru, elman-tanh …
    embedding_size: int = 200  # E
    hidden_size: int = 200  # H (rnn), model width (transformer), channels (cnn), units (mlp)
    num_layers: int = 2  # L
    tie_weights: bool = False  # W_s = W_e (Press & Wolf 2017); last layer then has E units
    dropout_embedding: float = 0.0  # drop whole word types from W_e (Gal & Ghahramani 2016)
    dropout_input: float = 0.0  # locked dropout on the embeddings
    dropout_hidden: float = 0.0  # rnn: locked dropout between recurrent layers
    dropout_output: float = 0.0  # locked dropout before the softmax
    dropout_mask: str = "locked"  # the three dropouts above: "locked" (one mask per sequence,
    # Gal & Ghahramani 2016) or "step" (a new mask at every step, as nn.Dropout; Zaremba 2014)
    init_range: float = 0.1  # W_e, W_s ~ U(-r, r): near-uniform first prediction, loss ≈ log V

    def __post_init__(self) -> None:
        if self.bidirectional:
            raise ValueError(
                "expected bidirectional=False: a language model predicts the next token from "
                "the past only, and a backward layer would see it"
            )
        super().__post_init__()
        if self.embedding_size < 1:
            raise ValueError(f"expected embedding_size >= 1, got {self.embedding_size}")
        if self.dropout_mask not in DROPOUT_MASKS:
            raise ValueError(
                f"expected dropout_mask in {DROPOUT_MASKS}, got {self.dropout_mask!r}"
            )
        for name in ("dropout_embedding", "dropout_input", "dropout_hidden", "dropout_output"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ValueError(f"expected {name} in [0, 1), got {getattr(self, name)}")
        if self.encoder == "rnn" and self.dropout:
            raise ValueError("dropout: the language model's recurrent layers are separate "
                             "layers; set dropout_hidden (locked dropout between them) instead")
        if self.encoder != "rnn" and self.dropout_hidden:
            raise ValueError(f"dropout_hidden acts between recurrent layers; the "
                             f"{self.encoder!r} encoder's own dropout is `dropout`")
        if self.encoder != "rnn" and self.tie_weights and self.hidden_size != self.embedding_size:
            raise ValueError(f"tie_weights with the {self.encoder!r} encoder needs hidden_size "
                             f"== embedding_size (W_s = W_e), got {self.hidden_size} and "
                             f"{self.embedding_size}")


class LanguageModel(nn.Module):
    """tokens (T, B) -> (logits (T, B, V), state); ``state`` carries across TBPTT chunks."""

    def __init__(self, config: LMConfig, vocab_size: int) -> None:
        super().__init__()
        if vocab_size < 2:
            raise ValueError(f"expected a vocabulary of at least 2 tokens, got {vocab_size}")
        self.config = config
        self.vocab_size = vocab_size
        c = config
        self.embedding = nn.Embedding(vocab_size, c.embedding_size)  # W_e (V, E)
        if c.encoder == "rnn":  # L single-layer encoders: locked dropout between, sizes apart
            sizes = [c.hidden_size] * c.num_layers
            if c.tie_weights:
                sizes[-1] = c.embedding_size  # W_s = W_e needs E outputs from the last layer
            inputs = [c.embedding_size, *sizes[:-1]]
            configs = [encoder_config(c, hidden_size=h, num_layers=1) for h in sizes]
        else:  # one encoder of L blocks
            inputs, configs = [c.embedding_size], [encoder_config(c)]
        self.layers = nn.ModuleList(
            build_encoder(config, i, causal=True) for config, i in zip(configs, inputs, strict=True)
        )
        out_size = self.layers[-1].output_size
        drop = LockedDropout if c.dropout_mask == "locked" else nn.Dropout
        self.drop_input = drop(c.dropout_input)
        self.drop_hidden = drop(c.dropout_hidden)
        self.drop_output = drop(c.dropout_output)
        self.decoder = nn.Linear(out_size, vocab_size)  # W_s (V, E or H), b_s (V,)
        nn.init.uniform_(self.embedding.weight, -c.init_range, c.init_range)
        nn.init.zeros_(self.decoder.bias)
        if c.tie_weights:
            self.decoder.weight = self.embedding.weight  # one tensor, two roles
        else:
            nn.init.uniform_(self.decoder.weight, -c.init_range, c.init_range)

    @property
    def recurrent(self) -> bool:
        """True when the layers are recurrent (``encoder = "rnn"``)."""
        return self.config.encoder == "rnn"

    @property
    def backend_used(self) -> str:
        """The recurrent backend that runs ("fused", "explicit", …), or the encoder's name."""
        return self.layers[0].backend_used if self.recurrent else self.config.encoder

    def hidden(
        self, tokens: Tensor, state: LMState | None = None
    ) -> tuple[Tensor, Tensor, LMState]:
        """tokens (T, B) -> (last-layer output h (T, B, ·), h after output dropout, new state)."""
        if tokens.dim() != 2 or tokens.dtype != torch.long:
            raise ValueError(
                f"expected tokens as a (T, B) int64 tensor, got {tuple(tokens.shape)} "
                f"{tokens.dtype}"
            )
        if state is not None and len(state) != len(self.layers):
            raise ValueError(f"expected a state with {len(self.layers)} layers, got {len(state)}")
        x = embedding_dropout(
            self.embedding.weight, tokens, self.config.dropout_embedding, self.training
        )  # (T, B, E)
        x = self.drop_input(x)
        new_state: LMState = []
        for index, layer in enumerate(self.layers):
            x, layer_state = layer(x, state=None if state is None else state[index])  # (T, B, H)
            new_state.append(layer_state)
            if index < len(self.layers) - 1:
                x = self.drop_hidden(x)  # dropout between layers
        return x, self.drop_output(x), new_state

    def forward(self, tokens: Tensor, state: LMState | None = None) -> tuple[Tensor, LMState]:
        """tokens (T, B) -> logits (T, B, V) of the next token at every position, state."""
        _, h, state = self.hidden(tokens, state)
        return self.decoder(h), state  # (T, B, V)

    def init_state(self, batch_size: int) -> LMState:
        """Zero state for ``batch_size`` streams (the same as passing ``state=None``)."""
        w = self.decoder.weight
        if not self.recurrent:
            return [None]  # nothing read yet: the encoder starts from zeros / an empty memory
        state: LMState = []
        for layer in self.layers:
            rnn = layer.rnn
            zeros = [w.new_zeros(1, batch_size, rnn.hidden_size) for _ in rnn.state_names]
            # (1, B, H) each
            state.append(zeros[0] if len(zeros) == 1 else tuple(zeros))
        return state

    def stream(self, batch_size: int = 1) -> LMStream:
        """A stateful predictor over B streams (puts the model in eval mode): ``stream(tokens)``
        with tokens (B,) or (T, B) returns the next-token distribution (B, V); see
        :class:`rnnlab.models.streaming.LMStream`."""
        return LMStream(self, batch_size)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())
