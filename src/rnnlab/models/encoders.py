"""Sequence encoders by name: what a model reads a sequence with.

An encoder maps a sequence of vectors x (T, B, I) — time-major, optional
lengths (B,) — to one output vector per step (T, B, D) and a final state:

    outputs, state = encoder(x, lengths=lengths, state=None)

``"rnn"`` is rnnlab's :class:`~rnnlab.layers.Recurrent` layer over any
registered cell (``cell = "lstm"``, ``"gru"``, ``"elman-sigmoid"`` …); the
models the courses compare the RNN with (Transformer, 1-D CNN, window MLP)
register here too, so every task model (classifier, tagger, encoder–decoder,
language model, forecaster) can read its input with any of them through one
config field, ``encoder``.

A model config that reads sequences inherits :class:`EncoderConfig`, so the
encoder's fields have one name and one default everywhere (flat in TOML:
``[model] encoder = "rnn"  cell = "gru"  hidden_size = 128``).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from torch import Tensor, nn

from rnnlab.cells.init import check_forget_bias
from rnnlab.cells.spec import get_cell
from rnnlab.layers import Recurrent


@dataclass(frozen=True)
class EncoderConfig:
    """The encoder fields every sequence model shares (subclass it for a model's config)."""

    encoder: str = "rnn"  # "rnn" (any registered cell) or another registered encoder
    cell: str = "lstm"  # rnn: a registered cell name (rnnlab.cells.spec.cell_names())
    hidden_size: int = 128  # H: hidden units per direction (rnn) / model width (others)
    num_layers: int = 1  # L stacked layers
    bidirectional: bool = False  # rnn: D = 2 (not for models that must not see the future)
    dropout: float = 0.0  # between stacked layers
    forget_bias: float | None = None  # rnn: LSTM forget / GRU update gate bias (None: PyTorch)
    backend: str = "auto"  # rnn: "auto" (fused when equivalent, else sequence), "explicit", …
    weight_drop: float = 0.0  # rnn: DropConnect on W_hh (Merity et al. 2018)

    def __post_init__(self) -> None:
        check_encoder_config(self)


def check_encoder_config(config: EncoderConfig) -> None:
    """The encoder fields on their own: known encoder and cell, sizes, probabilities."""
    if config.encoder not in ENCODERS:
        close = difflib.get_close_matches(config.encoder, list(ENCODERS), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"unknown encoder {config.encoder!r}{hint}; known: {sorted(ENCODERS)}")
    if config.hidden_size < 1 or config.num_layers < 1:
        raise ValueError(f"expected hidden_size >= 1 and num_layers >= 1, got "
                         f"{config.hidden_size} and {config.num_layers}")
    for name in ("dropout", "weight_drop"):
        if not 0.0 <= getattr(config, name) < 1.0:
            raise ValueError(f"expected {name} in [0, 1), got {getattr(config, name)}")
    if config.encoder == "rnn":
        check_forget_bias(get_cell(config.cell), config.forget_bias, bias=True)


class RNNEncoder(nn.Module):
    """The recurrent encoder: a :class:`Recurrent` stack, time-major, lengths-aware."""

    causal_possible = True  # unidirectional: output t depends on x_1 … x_t only

    def __init__(self, config: EncoderConfig, input_size: int) -> None:
        super().__init__()
        self.rnn = Recurrent(
            config.cell, input_size, config.hidden_size, config.num_layers,
            bidirectional=config.bidirectional, dropout=config.dropout,
            backend=config.backend, forget_bias=config.forget_bias,
            weight_drop=config.weight_drop,
        )
        self.output_size = config.hidden_size * (2 if config.bidirectional else 1)  # D·H
        self.causal = not config.bidirectional

    def forward(self, x: Tensor, lengths: Tensor | None = None,
                state: Any = None) -> tuple[Tensor, Any]:
        """x (T, B, I) -> (outputs (T, B, D·H), state (L·D, B, H) or (h, c))."""
        return self.rnn(x, state, lengths=lengths)

    @property
    def backend_used(self) -> str:
        return self.rnn.backend_used


EncoderBuilder = Callable[[EncoderConfig, int], nn.Module]
ENCODERS: dict[str, EncoderBuilder] = {"rnn": RNNEncoder}


def register_encoder(name: str, builder: EncoderBuilder, *, replace: bool = False) -> None:
    """Make ``encoder = "<name>"`` build ``builder(config, input_size)``: a module with
    ``forward(x (T, B, I), lengths=None, state=None) -> (outputs (T, B, D), state)`` and
    attributes ``output_size`` (D) and ``causal`` (output t sees no input after t)."""
    if name in ENCODERS and not replace:
        raise ValueError(f"an encoder named {name!r} is already registered (replace=True)")
    ENCODERS[name] = builder


def build_encoder(config: EncoderConfig, input_size: int, *, causal: bool = False) -> nn.Module:
    """The encoder ``config`` names, reading I = ``input_size`` features per step.

    ``causal=True`` (language models, decoders) refuses an encoder whose outputs
    see the future (a bidirectional RNN, a non-causal Transformer).
    """
    encoder = ENCODERS[config.encoder](config, input_size)
    if causal and not encoder.causal:
        raise ValueError(f"this model predicts from the past only, but the {config.encoder!r} "
                         "encoder as configured sees the future (bidirectional?)")
    return encoder
