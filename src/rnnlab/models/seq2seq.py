"""The encoder–decoder (sequence to sequence), with or without attention.

Symbols: S source steps, T target steps, B batch, V_s / V_t vocabularies, E
embedding size, H hidden size, L layers, D directions of the encoder.

    h_1 … h_S, state = encoder(E_s x_1 … E_s x_S)   any registered encoder, lengths packed
    s_0 = bridge(state)                              tanh(W_b [h_fwd; h_bwd]) per layer, or 0
    p(y_t | y_<t, x) = decoder(y_{t-1}, s_{t-1}, h_1 … h_S)   see models/decoder.py

``attention = "none"`` is the context-vector model (Sutskever et al. 2014;
Cho et al. 2014): the encoder's final top-layer state c (D·H) starts the
decoder (through the bridge) and is fed to every step and to the output, and
is all the decoder ever sees of the source. ``"bahdanau"`` attends with the
state before each step (additive score); ``"luong-dot" | "luong-general" |
"luong-concat"`` with the state after it, optionally feeding h̃_{t-1} back in
(``input_feeding``). Padding is masked in every attention.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from rnnlab.models.attention import padding_mask
from rnnlab.models.decoder import ATTENTIONS, DecoderSpec, DecoderState, RecurrentDecoder
from rnnlab.models.encoders import EncoderConfig, build_encoder, directions_of

BRIDGES = ("linear", "zero")


@dataclass(frozen=True)
class Seq2SeqConfig(EncoderConfig):
    """``[model]`` of a translation run: the encoder fields, then the decoder's."""

    cell: str = "gru"  # encoder and decoder cell (a registered name)
    embedding_size: int = 128  # E of the source and target embeddings
    attention: str = "bahdanau"  # none | bahdanau | luong-dot | luong-general | luong-concat
    attention_size: int | None = None  # A of additive scores (None: hidden_size)
    input_feeding: bool = False  # luong: feed h̃_{t-1} into step t (Luong et al. 2015)
    bridge: str = "linear"  # decoder s_0 from the encoder's final state: linear (tanh) | zero
    tie_embeddings: bool = False  # output projection = target embedding (Press & Wolf 2017)
    dropout_input: float = 0.1  # dropout on the embedded tokens (the tutorial's 0.1)
    dropout_output: float = 0.0  # dropout on h̃ before the output projection

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.attention not in ATTENTIONS:
            raise ValueError(f"expected attention in {ATTENTIONS}, got {self.attention!r}")
        if self.bridge not in BRIDGES:
            raise ValueError(f"expected bridge in {BRIDGES}, got {self.bridge!r}")
        if self.input_feeding and not self.attention.startswith("luong"):
            raise ValueError("input_feeding is Luong's: it needs attention = 'luong-*'")
        if self.attention == "luong-dot" and self.bidirectional and self.encoder == "rnn":
            raise ValueError("luong-dot needs the decoder state (H) and the encoder outputs "
                             "(2·H when bidirectional) of one size: use luong-general")
        if self.embedding_size < 1 or (self.attention_size or 1) < 1:
            raise ValueError("expected embedding_size and attention_size >= 1")
        for name in ("dropout_input", "dropout_output"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ValueError(f"expected {name} in [0, 1), got {getattr(self, name)}")


def final_hidden(outputs: Tensor, lengths: Tensor, state: object, directions: int) -> Tensor:
    """The encoder's final hidden vector per layer, (L, B, D·H).

    From an RNN encoder's state h_n (L·D, B, H) (the h of an LSTM's (h, c)),
    directions concatenated; without one (``state`` None: another encoder, whose
    state is not a summary of the source), the mean of the valid outputs as one
    layer (1, B, D).
    """
    h = state[0] if isinstance(state, tuple) else state
    if isinstance(h, Tensor) and h.dim() == 3 and h.size(0) % directions == 0:
        layers, batch, hidden = h.size(0) // directions, h.size(1), h.size(2)
        return h.view(layers, directions, batch, hidden).permute(0, 2, 1, 3).reshape(
            layers, batch, directions * hidden)
    mask = padding_mask(lengths, outputs.size(0)).unsqueeze(-1)  # (S, B, 1)
    return ((outputs * mask).sum(0) / lengths[:, None].to(outputs.dtype))[None]


class EncoderDecoder(nn.Module):
    """source (S, B) with lengths -> decoder state; target (T, B) -> logits (T, B, V_t)."""

    def __init__(self, config: Seq2SeqConfig, source_vocab: int, target_vocab: int) -> None:
        super().__init__()
        c = config
        self.config = c
        self.source_embedding = nn.Embedding(source_vocab, c.embedding_size)  # E_s (V_s, E)
        self.encoder = build_encoder(c, c.embedding_size)
        self.directions = directions_of(c)
        self.recurrent_state = c.encoder == "rnn"  # else: the final vector is a mean
        memory_size = self.encoder.output_size  # D·H
        self.decoder = RecurrentDecoder(DecoderSpec(
            cell=c.cell, vocab_size=target_vocab, embedding_size=c.embedding_size,
            hidden_size=c.hidden_size, num_layers=c.num_layers, context_size=memory_size,
            attention=c.attention, attention_size=c.attention_size,
            feed_context=c.attention == "none", input_feeding=c.input_feeding,
            tie_embeddings=c.tie_embeddings, dropout=c.dropout, dropout_input=c.dropout_input,
            dropout_output=c.dropout_output, backend=c.backend, forget_bias=c.forget_bias))
        self.state_names = self.decoder.rnn.state_names
        self.bridge = nn.ModuleList(  # one W_b per decoder state tensor (h; and c for the LSTM)
            nn.Linear(memory_size, c.hidden_size) for _ in self.state_names
        ) if c.bridge == "linear" else None
        self.drop_input = nn.Dropout(c.dropout_input)

    def start(self, source: Tensor, lengths: Tensor) -> DecoderState:
        """Encode source (S, B) of ``lengths`` (B,): the decoder's state before step 1."""
        if source.dim() != 2 or lengths.shape != (source.size(1),):
            raise ValueError(f"expected source (S, B) and lengths (B,), got "
                             f"{tuple(source.shape)} and {tuple(lengths.shape)}")
        x = self.drop_input(self.source_embedding(source))  # (S, B, E)
        outputs, state = self.encoder(x, lengths=lengths)  # (S, B, D·H)
        final = final_hidden(outputs, lengths, state if self.recurrent_state else None,
                             self.directions)  # (L_enc, B, D·H)
        batch = source.size(1)
        rnn_state = None
        if self.bridge is not None:
            layers = self.config.num_layers
            top = final[-1:].expand(layers, -1, -1) if final.size(0) != layers else final
            parts = tuple(torch.tanh(w(top)) for w in self.bridge)  # (L, B, H) each
            rnn_state = parts if len(parts) > 1 else parts[0]
        memory = None
        context = None
        if self.decoder.attention is not None:
            memory = self.decoder.attention.memory(outputs, lengths)
        else:
            context = final[-1]  # c (B, D·H): the context vector
        return self.decoder.initial_state(batch, rnn_state, context, memory)

    def step(self, tokens: Tensor, state: DecoderState) -> tuple[Tensor, DecoderState,
                                                                  Tensor | None]:
        """One decoder step: y_{t-1} (B,) -> logits (B, V_t), state, α (B, S) or None."""
        return self.decoder.step(tokens, state)

    def forward(self, source: Tensor, lengths: Tensor, target_in: Tensor, *,
                force: Tensor | None = None, loop: bool = False) -> tuple[Tensor, Tensor | None]:
        """Teacher-forced: logits (T, B, V_t) of y_1 … y_T and α (T, B, S) (None without)."""
        return self.decoder(target_in, self.start(source, lengths), force=force, loop=loop)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())
