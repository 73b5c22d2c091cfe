"""The Transformer (Vaswani et al. 2017), pre-LayerNorm (Xiong et al. 2020), from torch.nn parts.

Symbols: T target/sequence steps, S source steps, B batch, I input size,
D model width (``hidden_size``), N heads, F feed-forward width. One block::

    a = x + Drop(SelfAttention(LN(x)))                 causal mask in a decoder / causal LM
    c = a + Drop(CrossAttention(LN(a), memory))        decoder blocks only
    y = c + Drop(W_2 ReLU(W_1 LN(c) + b_1) + b_2)      position-wise feed-forward (F wide)

and a stack is ``LN(block_L(… block_1(Drop(W_in x + P))))``, P the positions:
learned (GPT-2: a (max_length, D) table) or sinusoidal (Vaswani et al.:
P[t, 2i] = sin(t / 10000^(2i/D)), P[t, 2i+1] = cos(…), amplitude 1). Attention
is ``nn.MultiheadAttention`` (PyTorch's scaled-dot-product kernel); padding is a
key mask made from the lengths, so a padded step is never attended to, and
outputs past a sequence's length are zero (as the recurrent layers return).

:class:`TransformerEncoder` is the ``"transformer"`` sequence encoder (causal
when ``bidirectional = false``: output t attends to steps ≤ t, the decoder-only
language model; full attention with ``bidirectional = true``: the BERT-style
encoder for classification and tagging). :class:`TransformerDecoder` adds
cross-attention over an encoder's outputs: the two make the encoder–decoder a
translation model needs.

A Transformer has no recurrent state; what it carries from one call to the next
(``memory`` > 0, causal only) is its last M *inputs*, which the next call reads
again in front of its own: a language model trained in chunks then attends to
up to M steps before the chunk (without gradient through them: the trainer
detaches states at the chunk edge), and generation, fed one token at a time,
sees the last M tokens. This is Transformer-XL's segment memory (Dai et al.
2019) made simple — inputs, not hidden states, are cached and recomputed, so the
absolute positions stay valid — and it costs (M + T) positions per call.
With ``memory = 0`` each call attends within itself.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor, nn

from rnnlab.models.masks import causal_mask, padding_mask, zero_padding

POSITIONS = ("learned", "sinusoidal")


def sinusoidal_positions(length: int, width: int) -> Tensor:
    """P (length, width): P[t, 2i] = sin(t / 10000^(2i/D)), P[t, 2i+1] = cos(t / 10000^(2i/D))."""
    t = torch.arange(length, dtype=torch.float32)[:, None]  # (T, 1)
    rate = torch.exp(torch.arange(0, width, 2, dtype=torch.float32) * (-math.log(1e4) / width))
    table = torch.zeros(length, width)
    table[:, 0::2] = torch.sin(t * rate)
    table[:, 1::2] = torch.cos(t * rate[: width // 2])
    return table


class Positions(nn.Module):
    """Position vectors P (T, 1, D) to add to a (T, B, D) input."""

    def __init__(self, kind: str, width: int, max_length: int) -> None:
        super().__init__()
        if kind not in POSITIONS:
            raise ValueError(f"unknown positions {kind!r}; expected one of {POSITIONS}")
        self.kind, self.max_length = kind, max_length
        if kind == "learned":
            self.table = nn.Parameter(torch.randn(max_length, width) * 0.02)  # GPT-2's init

    def forward(self, length: int, like: Tensor) -> Tensor:
        if self.kind == "sinusoidal":
            return sinusoidal_positions(length, like.shape[-1]).to(like)[:, None]  # (T, 1, D)
        if length > self.max_length:
            raise ValueError(f"a sequence of {length} steps is longer than the {self.max_length} "
                             "learned positions (max_length); raise max_length or use "
                             "positions = 'sinusoidal'")
        return self.table[:length, None]  # (T, 1, D)


class TransformerBlock(nn.Module):
    """One pre-LN block: self-attention, optional cross-attention, feed-forward (see module)."""

    def __init__(self, width: int, heads: int, ffn: int, dropout: float,
                 cross: bool = False) -> None:
        super().__init__()
        self.norm_self = nn.LayerNorm(width)
        self.self_attention = nn.MultiheadAttention(width, heads, dropout=dropout)
        if cross:
            self.norm_cross = nn.LayerNorm(width)
            self.cross_attention = nn.MultiheadAttention(width, heads, dropout=dropout)
        self.norm_ffn = nn.LayerNorm(width)
        self.ffn = nn.Sequential(nn.Linear(width, ffn), nn.ReLU(), nn.Dropout(dropout),
                                 nn.Linear(ffn, width))
        self.drop = nn.Dropout(dropout)

    def forward(self, x: Tensor, *, mask: Tensor | None = None, pad: Tensor | None = None,
                memory: Tensor | None = None, memory_pad: Tensor | None = None) -> Tensor:
        """x (T, B, D); mask (T, T), pad (B, T), memory (S, B, D), memory_pad (B, S) -> (T, B, D)"""
        h = self.norm_self(x)
        a, _ = self.self_attention(h, h, h, attn_mask=mask, key_padding_mask=pad,
                                   need_weights=False)
        x = x + self.drop(a)  # a = x + Drop(SelfAttention(LN(x)))
        if memory is not None:
            h = self.norm_cross(x)
            c, _ = self.cross_attention(h, memory, memory, key_padding_mask=memory_pad,
                                        need_weights=False)
            x = x + self.drop(c)  # c = a + Drop(CrossAttention(LN(a), memory))
        return x + self.drop(self.ffn(self.norm_ffn(x)))  # y = c + Drop(FFN(LN(c)))


class TransformerStack(nn.Module):
    """Input map, positions, L blocks and the final LayerNorm (shared by encoder and decoder)."""

    def __init__(self, config: Any, input_size: int, *, cross: bool) -> None:
        super().__init__()
        D = config.hidden_size
        self.inp = nn.Linear(input_size, D) if input_size != D else nn.Identity()  # W_in
        self.positions = Positions(config.positions, D, config.max_length)
        self.drop = nn.Dropout(config.dropout)
        ffn = config.ffn_size or 4 * D
        self.blocks = nn.ModuleList(
            TransformerBlock(D, config.num_heads, ffn, config.dropout, cross=cross)
            for _ in range(config.num_layers)
        )
        self.norm = nn.LayerNorm(D)  # pre-LN stacks end on a LayerNorm
        self.output_size = D

    def run(self, x: Tensor, mask: Tensor | None, pad: Tensor | None,
            memory: Tensor | None = None, memory_pad: Tensor | None = None) -> Tensor:
        if x.dim() != 3:
            raise ValueError(f"expected x of shape (T, B, I), got {tuple(x.shape)}")
        h = self.inp(x)  # (T, B, D)
        h = self.drop(h + self.positions(h.shape[0], h))
        for block in self.blocks:
            h = block(h, mask=mask, pad=pad, memory=memory, memory_pad=memory_pad)
        return zero_padding(self.norm(h), pad)  # (T, B, D)


class TransformerEncoder(nn.Module):
    """The ``"transformer"`` encoder: x (T, B, I) -> (outputs (T, B, D), state).

    ``bidirectional = false`` (the default): causal self-attention, output t
    sees x_1 … x_t (a decoder-only language model reads with this);
    ``bidirectional = true``: every step attends to the whole sequence. The
    state is None, or with ``memory = M`` > 0 (causal, unpadded) the last M
    inputs (M, B, I), read again in front of the next call's x.
    """

    def __init__(self, config: Any, input_size: int) -> None:
        super().__init__()
        self.stack = TransformerStack(config, input_size, cross=False)
        self.output_size = self.stack.output_size
        self.causal = not config.bidirectional
        self.memory = config.memory  # M

    def forward(self, x: Tensor, lengths: Tensor | None = None,
                state: Tensor | None = None) -> tuple[Tensor, Tensor | None]:
        """x (T, B, I), lengths (B,), state (≤ M, B, I) -> ((T, B, D), state)."""
        T = x.shape[0]
        if state is not None:
            if lengths is not None or not self.causal:
                raise ValueError("a carried transformer state continues one unpadded stream: it "
                                 "needs bidirectional = false and no lengths")
            if state.dim() != 3 or state.shape[1:] != x.shape[1:]:
                raise ValueError(f"expected a transformer state of shape (M, {x.shape[1]}, "
                                 f"{x.shape[2]}), got {tuple(state.shape)}")
            x = torch.cat([state, x])  # (M + T, B, I): the memory, then this call's steps
        pad = padding_mask(lengths, x.shape[0], x.shape[1], x.device)
        mask = causal_mask(x.shape[0], x.device) if self.causal else None
        out = self.stack.run(x, mask, pad)[x.shape[0] - T:]  # (T, B, D)
        keep = self.memory and self.causal and lengths is None
        return out, (x[max(x.shape[0] - self.memory, 0):] if keep else None)


class TransformerDecoder(nn.Module):
    """Causal self-attention plus cross-attention over an encoder's outputs (translation).

    ``decoder(y (T, B, I), memory (S, B, D), memory_lengths=None, lengths=None)``
    -> (T, B, D): output t sees y_1 … y_t and the whole (unpadded) source.
    """

    def __init__(self, config: Any, input_size: int) -> None:
        super().__init__()
        self.stack = TransformerStack(config, input_size, cross=True)
        self.output_size = self.stack.output_size

    def forward(self, y: Tensor, memory: Tensor, memory_lengths: Tensor | None = None,
                lengths: Tensor | None = None) -> Tensor:
        if memory.shape[1] != y.shape[1] or memory.shape[-1] != self.output_size:
            raise ValueError(f"expected memory of shape (S, {y.shape[1]}, {self.output_size}), "
                             f"got {tuple(memory.shape)}")
        memory_pad = padding_mask(memory_lengths, memory.shape[0], memory.shape[1], y.device)
        pad = padding_mask(lengths, y.shape[0], y.shape[1], y.device)
        return self.stack.run(y, causal_mask(y.shape[0], y.device), pad, memory, memory_pad)


def check_transformer(config: Any) -> None:
    """The transformer's own fields: heads divide the width, known positions, sizes."""
    if config.hidden_size % config.num_heads:
        raise ValueError(f"transformer: hidden_size ({config.hidden_size}) must be divisible by "
                         f"num_heads ({config.num_heads})")
    if config.positions not in POSITIONS:
        raise ValueError(f"unknown positions {config.positions!r}; expected one of {POSITIONS}")
    if config.memory < 0:
        raise ValueError(f"transformer: expected memory >= 0, got {config.memory}")
    if config.ffn_size is not None and config.ffn_size < 1:
        raise ValueError(f"expected ffn_size >= 1 (or none: 4·hidden_size), got {config.ffn_size}")


__all__ = ["TransformerBlock", "TransformerDecoder", "TransformerEncoder", "causal_mask",
           "padding_mask", "sinusoidal_positions", "zero_padding"]
