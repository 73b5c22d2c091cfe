"""The recurrent decoder of an encoder–decoder or a conditional generator: one code path.

Symbols: T target steps, B batch, V target vocabulary, E embedding size, H
hidden size, L layers, C context size (the encoder's D·H, or a condition
vector's size), O = E with tied embeddings else H. At step t, with y_{t-1} the
previous token (``<bos>`` first) and s_{t-1} the recurrent state:

    x_t = [E y_{t-1}]                                      the embedded token
        ⊕ [c_t = attend(top(s_{t-1}))]   attention "bahdanau" (Bahdanau et al. 2015)
        ⊕ [c]                            feed_context: a fixed context every step (Cho 2014)
        ⊕ [h̃_{t-1}]                      input_feeding (Luong et al. 2015)
    s_t = RNN(x_t, s_{t-1})                                L layers of any registered cell
    c_t = attend(top(s_t))               attention "luong-*": the query is the new state
    h̃_t = tanh(W_c [top(s_t); c_t])                       the attentional vector (O,)
    p(y_t | y_<t, x) = softmax(W_s h̃_t + b_s)              (W_s = the target embedding if tied)

Without attention, c_t is the fixed context c (the context-vector model, where
the whole source is one vector); with ``context_size = 0`` there is none.

:meth:`RecurrentDecoder.step` is this loop body; :meth:`RecurrentDecoder.forward`
runs it over a teacher-forced target. When no step depends on the previous
one except through the RNN (no Bahdanau query, no input feeding, every input
the gold token), the RNN runs over all T steps in one call (the fused kernel)
and attention scores all T queries at once — tested equal to the loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import torch
from torch import Tensor, nn

from rnnlab.layers import Recurrent
from rnnlab.models.attention import Attention, Memory

ATTENTIONS = ("none", "bahdanau", "luong-dot", "luong-general", "luong-concat")
_SCORE = {"bahdanau": "additive", "luong-dot": "dot", "luong-general": "general",
          "luong-concat": "additive"}


@dataclass(frozen=True)
class DecoderSpec:
    """What a decoder is made of (built by the model that owns it from its own config)."""

    cell: str  # a registered cell name
    vocab_size: int  # V
    embedding_size: int  # E
    hidden_size: int  # H
    num_layers: int  # L
    context_size: int  # C: encoder outputs (D·H) or the condition vector; 0 = none
    attention: str = "none"  # one of ATTENTIONS
    attention_size: int | None = None  # A of additive scores (None: H)
    feed_context: bool = False  # the fixed context c in every input (attention "none")
    input_feeding: bool = False  # h̃_{t-1} in the input of step t (Luong et al. 2015)
    tie_embeddings: bool = False  # W_s = the target embedding (O = E)
    dropout: float = 0.0  # between stacked layers
    dropout_input: float = 0.0  # on the embedded tokens
    dropout_output: float = 0.0  # on h̃ before the softmax
    backend: str = "auto"
    forget_bias: float | None = None

    def __post_init__(self) -> None:
        if self.attention not in ATTENTIONS:
            raise ValueError(f"expected attention in {ATTENTIONS}, got {self.attention!r}")
        if self.attention != "none" and self.context_size < 1:
            raise ValueError("attention needs encoder outputs (context_size >= 1)")


class DecoderState(NamedTuple):
    """Everything step t needs from the past; every tensor has the batch on dim 1."""

    rnn: Any  # s_{t-1}: (L, B, H) or (h, c)
    feed: Tensor | None  # h̃_{t-1} (1, B, O) for input feeding, else None
    context: Tensor | None  # the fixed context c (1, B, C) (attention "none"), else None
    memory: Memory | None  # the encoder outputs attention reads, else None


class RecurrentDecoder(nn.Module):
    """Target tokens -> next-token logits, reading a context vector or attending to a source."""

    def __init__(self, spec: DecoderSpec) -> None:
        super().__init__()
        self.spec = s = spec
        self.out_size = s.embedding_size if s.tie_embeddings else s.hidden_size  # O
        fixed = s.attention == "none" and s.context_size > 0
        inputs = s.embedding_size + (s.context_size if s.attention == "bahdanau" or (
            fixed and s.feed_context) else 0) + (self.out_size if s.input_feeding else 0)
        self.embedding = nn.Embedding(s.vocab_size, s.embedding_size)  # E y (V, E)
        self.rnn = Recurrent(s.cell, inputs, s.hidden_size, s.num_layers, dropout=s.dropout,
                             backend=s.backend, forget_bias=s.forget_bias)
        self.attention = None if s.attention == "none" else Attention(
            _SCORE[s.attention], s.hidden_size, s.context_size, s.attention_size)
        self.combine = nn.Linear(s.hidden_size + s.context_size, self.out_size)  # W_c
        self.output = nn.Linear(self.out_size, s.vocab_size)  # W_s, b_s
        if s.tie_embeddings:
            self.output.weight = self.embedding.weight  # one (V, E) tensor, two roles
        self.drop_input = nn.Dropout(s.dropout_input)
        self.drop_output = nn.Dropout(s.dropout_output)

    @property
    def parallel_ok(self) -> bool:
        """Whether a teacher-forced target can run as one RNN call (no step-to-step input)."""
        return self.spec.attention != "bahdanau" and not self.spec.input_feeding

    def initial_state(self, batch_size: int, rnn_state: Any = None,
                      context: Tensor | None = None,
                      memory: Memory | None = None) -> DecoderState:
        """s_0 (a bridge's output; None: zeros), the fixed context c (B, C), the memory."""
        like = self.combine.weight
        if rnn_state is None:
            rnn_state = self.rnn.init_state(batch_size, device=like.device, dtype=like.dtype)
        feed = like.new_zeros(1, batch_size, self.out_size) if self.spec.input_feeding else None
        fixed = None if context is None else context[None]  # (1, B, C)
        return DecoderState(rnn_state, feed, fixed, memory)

    def _top(self, rnn_state: Any) -> Tensor:
        h = rnn_state[0] if isinstance(rnn_state, tuple) else rnn_state  # (L, B, H)
        return h[-1:]  # (1, B, H): the query of attention

    def step(self, tokens: Tensor, state: DecoderState) -> tuple[Tensor, DecoderState,
                                                                  Tensor | None]:
        """y_{t-1} (B,) -> logits (B, V), the new state, α (B, S) or None."""
        x = [self.drop_input(self.embedding(tokens))[None]]  # (1, B, E)
        alpha = None
        if self.spec.attention == "bahdanau":
            context, alpha = self.attention(self._top(state.rnn), state.memory)  # query s_{t-1}
            x.append(context)  # (1, B, C)
        elif state.context is not None and self.spec.feed_context:
            x.append(state.context)
        if state.feed is not None:
            x.append(state.feed)
        out, rnn_state = self.rnn(torch.cat(x, dim=-1), state.rnn)  # (1, B, H)
        if self.spec.attention.startswith("luong"):
            context, alpha = self.attention(out, state.memory)  # query s_t
        elif self.spec.attention == "none":
            context = state.context
        h_tilde = self._attentional(out, context)  # (1, B, O)
        logits = self.output(self.drop_output(h_tilde))[0]  # (B, V)
        feed = h_tilde if state.feed is not None else None
        return logits, DecoderState(rnn_state, feed, state.context, state.memory), (
            None if alpha is None else alpha[0])

    def _attentional(self, out: Tensor, context: Tensor | None) -> Tensor:
        if context is None:
            return torch.tanh(self.combine(out))
        if context.size(0) != out.size(0):
            context = context.expand(out.size(0), -1, -1)
        return torch.tanh(self.combine(torch.cat([out, context], dim=-1)))  # h̃ (N, B, O)

    def forward(self, target_in: Tensor, state: DecoderState, *, force: Tensor | None = None,
                loop: bool = False) -> tuple[Tensor, Tensor | None]:
        """Teacher-forced decoding: target_in (T, B) -> logits (T, B, V), α (T, B, S) or None.

        ``force`` (T, B) bool: where False, step t reads the model's own previous
        argmax instead of the gold token (scheduled sampling); None = all gold.
        ``loop=True`` takes the step-by-step path even where one RNN call would do.
        """
        if force is None and self.parallel_ok and not loop:
            return self._parallel(target_in, state)
        logits, alphas = [], []
        previous = target_in[0]
        for t in range(target_in.size(0)):
            tokens = target_in[t] if force is None else torch.where(force[t], target_in[t],
                                                                     previous)
            step_logits, state, alpha = self.step(tokens, state)
            logits.append(step_logits)
            alphas.append(alpha)
            previous = step_logits.detach().argmax(-1)
        weights = None if alphas[0] is None else torch.stack(alphas)
        return torch.stack(logits), weights

    def _parallel(self, target_in: Tensor, state: DecoderState) -> tuple[Tensor, Tensor | None]:
        x = [self.drop_input(self.embedding(target_in))]  # (T, B, E)
        if state.context is not None and self.spec.feed_context:
            x.append(state.context.expand(target_in.size(0), -1, -1))
        out, _ = self.rnn(torch.cat(x, dim=-1), state.rnn)  # s_1 … s_T (T, B, H)
        alpha = None
        context = state.context
        if self.attention is not None:
            context, alpha = self.attention(out, state.memory)  # T queries at once
        logits = self.output(self.drop_output(self._attentional(out, context)))  # (T, B, V)
        return logits, alpha
