"""Sequence encoders by name: what a model reads a sequence with.

An encoder maps a sequence of vectors x (T, B, I) — time-major, optional
lengths (B,) — to one output vector per step (T, B, D) and a final state:

    outputs, state = encoder(x, lengths=lengths, state=None)

``"rnn"`` is rnnlab's :class:`~rnnlab.layers.Recurrent` layer over any
registered cell (``cell = "lstm"``, ``"gru"``, ``"elman-sigmoid"`` …); the
models the courses compare the RNN with register here too — ``"transformer"``
(:mod:`rnnlab.models.transformer`, pre-LN self-attention), ``"cnn"``
(:mod:`rnnlab.models.convolution`, a dilated causal TCN) and ``"mlp"``
(:mod:`rnnlab.models.window_mlp`, dense layers over the last k steps) — so
every task model (classifier, tagger, encoder–decoder, language model,
forecaster) can read its input with any of them through one config field,
``encoder``.

``bidirectional`` means one thing for all of them: may output t see the
inputs after t? False (the default) makes every encoder causal — the RNN runs
forwards, the Transformer masks the future, the CNN pads on the left, the MLP's
window ends at t — as language models and decoders need; True gives the
BiRNN, full (BERT-style) attention, centred convolutions and a centred window.

A model config that reads sequences inherits :class:`EncoderConfig`, so the
encoder's fields have one name and one default everywhere (flat in TOML:
``[model] encoder = "rnn"  cell = "gru"  hidden_size = 128``).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from torch import Tensor, nn

from rnnlab.cells.init import check_forget_bias
from rnnlab.cells.spec import get_cell
from rnnlab.layers import Recurrent
from rnnlab.models.convolution import TemporalConvEncoder, check_cnn
from rnnlab.models.transformer import TransformerEncoder, check_transformer
from rnnlab.models.window_mlp import WindowMLPEncoder, check_mlp


@dataclass(frozen=True)
class EncoderConfig:
    """The encoder fields every sequence model shares (subclass it for a model's config)."""

    encoder: str = "rnn"  # "rnn" (any registered cell), "transformer", "cnn", "mlp", or one
    # added with register_encoder
    cell: str = "lstm"  # rnn: a registered cell name (rnnlab.cells.spec.cell_names())
    hidden_size: int = 128  # H: hidden units per direction (rnn) / model width (others)
    num_layers: int = 1  # L stacked layers
    bidirectional: bool = False  # output t also sees the steps after t: BiRNN (D = 2), full
    # attention, centred convolutions / window (not for models that must not see the future)
    dropout: float = 0.0  # between stacked layers (rnn); inside every block (the others)
    forget_bias: float | None = None  # rnn: LSTM forget / GRU update gate bias (None: PyTorch)
    backend: str = "auto"  # rnn: "auto" (fused when equivalent, else sequence), "explicit", …
    weight_drop: float = 0.0  # rnn: DropConnect on W_hh (Merity et al. 2018)
    num_heads: int = 4  # transformer: attention heads N (hidden_size divisible by N)
    ffn_size: int | None = None  # transformer: feed-forward width (None: 4·hidden_size)
    positions: str = "learned"  # transformer: "learned" (GPT-2) or "sinusoidal" (Vaswani 2017)
    max_length: int = 512  # transformer: the longest sequence learned positions cover
    memory: int = 64  # transformer: past inputs carried as state and read again by the next
    # call (chunks of a stream, generation one token at a time); 0: each call on its own
    kernel_size: int = 3  # cnn: taps k of each dilated convolution (dilation 2^l in block l)
    window: int = 5  # mlp: k steps the dense layers read (Bengio et al. 2003's n − 1)

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
    for name in ("num_heads", "max_length", "kernel_size", "window"):
        if getattr(config, name) < 1:
            raise ValueError(f"expected {name} >= 1, got {getattr(config, name)}")
    if config.encoder != "rnn":
        for name, default in RNN_ONLY.items():
            if getattr(config, name) != default:
                raise ValueError(f"{name} = {getattr(config, name)!r} is a setting of the rnn "
                                 f"encoder; the {config.encoder!r} encoder has none (leave it "
                                 f"at {default!r})")
    CHECKS.get(config.encoder, _no_check)(config)


def _check_rnn(config: EncoderConfig) -> None:
    check_forget_bias(get_cell(config.cell), config.forget_bias, bias=True)


def _no_check(config: EncoderConfig) -> None:
    return None


# fields only the recurrent encoder reads, with the default any other encoder must keep
RNN_ONLY = {"forget_bias": None, "weight_drop": 0.0, "backend": "auto"}


class RNNEncoder(nn.Module):
    """The recurrent encoder: a :class:`Recurrent` stack, time-major, lengths-aware."""

    causal_possible = True  # unidirectional: output t depends on x_1 … x_t only

    def __init__(self, config: EncoderConfig, input_size: int) -> None:
        super().__init__()
        # state dicts keyed as the layer's own (weight_ih_l0 …, no "rnn." in between), so a
        # model that held a Recurrent where it now holds this encoder loads its checkpoints
        self.register_state_dict_post_hook(_drop_rnn_prefix)
        self.register_load_state_dict_pre_hook(_add_rnn_prefix)
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

    def __getattr__(self, name: str) -> Any:
        """The layer's attributes (``hidden_size``, ``weight_hh_l0`` …) read through the encoder,
        so code written for a model holding the :class:`Recurrent` itself keeps working."""
        try:
            return super().__getattr__(name)
        except AttributeError:
            rnn = self.__dict__["_modules"].get("rnn")
            if rnn is None:
                raise
            return getattr(rnn, name)


def _drop_rnn_prefix(module: nn.Module, state_dict: dict, prefix: str, metadata: Any) -> None:
    """state_dict post-hook: ``{prefix}rnn.weight_ih_l0`` -> ``{prefix}weight_ih_l0``."""
    inner = prefix + "rnn."
    for key in [k for k in state_dict if k.startswith(inner)]:  # the last keys: order kept
        state_dict[prefix + key[len(inner):]] = state_dict.pop(key)


def _add_rnn_prefix(module: nn.Module, state_dict: dict, prefix: str, *args: Any) -> None:
    """load_state_dict pre-hook: ``{prefix}weight_ih_l0`` -> ``{prefix}rnn.weight_ih_l0``."""
    for key in [k for k in state_dict if k.startswith(prefix)]:
        if not key.startswith(prefix + "rnn."):
            state_dict[prefix + "rnn." + key[len(prefix):]] = state_dict.pop(key)


EncoderBuilder = Callable[[EncoderConfig, int], nn.Module]
EncoderCheck = Callable[[EncoderConfig], None]
ENCODERS: dict[str, EncoderBuilder] = {
    "rnn": RNNEncoder,
    "transformer": TransformerEncoder,
    "cnn": TemporalConvEncoder,
    "mlp": WindowMLPEncoder,
}
# each encoder's own checks of its fields, run when a config is made (before any data)
CHECKS: dict[str, EncoderCheck] = {
    "rnn": _check_rnn,
    "transformer": check_transformer,
    "cnn": check_cnn,
    "mlp": check_mlp,
}


def register_encoder(name: str, builder: EncoderBuilder, *, check: EncoderCheck | None = None,
                     replace: bool = False) -> None:
    """Make ``encoder = "<name>"`` build ``builder(config, input_size)``: a module with
    ``forward(x (T, B, I), lengths=None, state=None) -> (outputs (T, B, D), state)`` and
    attributes ``output_size`` (D) and ``causal`` (output t sees no input after t).
    ``check(config)`` raises ValueError for settings the encoder cannot take."""
    if name in ENCODERS and not replace:
        raise ValueError(f"an encoder named {name!r} is already registered (replace=True)")
    ENCODERS[name] = builder
    if check is not None:
        CHECKS[name] = check
    else:
        CHECKS.pop(name, None)


def encoder_config(config: EncoderConfig, **changes: Any) -> EncoderConfig:
    """The encoder fields of a model's config (a subclass), as a plain EncoderConfig, changed."""
    values = {f.name: getattr(config, f.name) for f in fields(EncoderConfig)}
    return EncoderConfig(**{**values, **changes})


def directions_of(config: EncoderConfig) -> int:
    """D, the halves of the encoder's output (forward, backward): 2 for a bidirectional RNN
    only (a bidirectional transformer, CNN or MLP gives one undivided vector per step)."""
    return 2 if config.encoder == "rnn" and config.bidirectional else 1


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
