"""A temporal convolutional network (TCN; Bai, Kolter & Koltun 2018): the ``"cnn"`` encoder.

Symbols: T steps, B batch, I input size, H channels (``hidden_size``), k taps
(``kernel_size``), L blocks. Block l convolves with dilation d = 2^l, twice, and
adds its input back (a 1×1 convolution when the widths differ)::

    u = Drop(ReLU(conv_d(x)))          conv_d(x)_t = Σ_j W_j x_{t − j·d} + b,  j = 0 … k−1
    v = Drop(ReLU(conv_d(u)))
    y = ReLU(v + R x)                  R = identity, or a 1×1 convolution I -> H

Causal (``bidirectional = false``, the default): output t reads x_{t−r+1} … x_t
only, r = 1 + 2(k−1)(2^L − 1) steps (the receptive field: 61 for k = 3, L = 4),
because every convolution is padded on the left only. Its state is what each
convolution needs of the past — its last (k−1)·d inputs — so a long stream
read in chunks, the state carried, gives exactly the outputs of one pass over
the whole stream (as a recurrent network's carried state does). With
``bidirectional = true`` the padding is split between both sides: output t also
sees about r/2 steps after t (no state then). Padded steps are zeroed before
every convolution, so they never reach a valid output. (Bai et al. also put
weight normalisation on each convolution; it is left out here.)
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnnlab.models.masks import padding_mask, zero_padding


class DilatedConv(nn.Module):
    """conv_d over (B, C, T): padded on the left (causal, from the carried tail) or both sides."""

    def __init__(self, cin: int, cout: int, k: int, dilation: int, causal: bool) -> None:
        super().__init__()
        self.conv = nn.Conv1d(cin, cout, k, dilation=dilation)
        self.context = (k - 1) * dilation  # past steps each output reads
        self.causal = causal

    def forward(self, x: Tensor, tail: Tensor | None) -> tuple[Tensor, Tensor | None]:
        """x (B, C, T), tail ((k−1)·d, B, C) or None (zeros) -> (y (B, C', T), new tail).

        The tail is kept time-major, batch on dimension 1, like every state in rnnlab
        (so ``select_rows`` picks a beam's rows from it as from an RNN's state)."""
        if not self.causal:
            left = self.context // 2
            return self.conv(F.pad(x, (left, self.context - left))), None
        past = (x.new_zeros(x.shape[0], x.shape[1], self.context) if tail is None
                else tail.permute(1, 2, 0))  # (B, C, (k−1)·d)
        xp = torch.cat([past, x], dim=-1)  # (B, C, (k−1)·d + T)
        return self.conv(xp), xp[..., xp.shape[-1] - self.context:].permute(2, 0, 1)


class TemporalBlock(nn.Module):
    """y = ReLU(Drop(ReLU(conv_d(Drop(ReLU(conv_d(x)))))) + R x) (see the module)."""

    def __init__(self, cin: int, cout: int, k: int, dilation: int, dropout: float,
                 causal: bool) -> None:
        super().__init__()
        self.conv1 = DilatedConv(cin, cout, k, dilation, causal)
        self.conv2 = DilatedConv(cout, cout, k, dilation, causal)
        self.residual = nn.Conv1d(cin, cout, 1) if cin != cout else nn.Identity()  # R
        self.drop = nn.Dropout(dropout)

    def forward(self, x: Tensor, keep: Tensor | None, state: Any) -> tuple[Tensor, Any]:
        """x (B, C, T), keep (B, 1, T) 1 on valid steps, state (tail1, tail2) or None."""
        t1, t2 = (None, None) if state is None else state
        if keep is not None:
            x = x * keep  # padded steps read as zeros
        u, t1 = self.conv1(x, t1)
        u = self.drop(F.relu(u))
        if keep is not None:
            u = u * keep
        v, t2 = self.conv2(u, t2)
        v = self.drop(F.relu(v))
        return F.relu(v + self.residual(x)), (t1, t2)


class TemporalConvEncoder(nn.Module):
    """The ``"cnn"`` encoder: x (T, B, I) -> (outputs (T, B, H), state); see the module."""

    def __init__(self, config: Any, input_size: int) -> None:
        super().__init__()
        self.causal = not config.bidirectional
        H, k = config.hidden_size, config.kernel_size
        self.blocks = nn.ModuleList(
            TemporalBlock(input_size if l == 0 else H, H, k, 2**l, config.dropout, self.causal)
            for l in range(config.num_layers)
        )
        self.output_size = H
        self.receptive_field = 1 + 2 * (k - 1) * (2**config.num_layers - 1)  # r steps

    def forward(self, x: Tensor, lengths: Tensor | None = None,
                state: Any = None) -> tuple[Tensor, Any]:
        """x (T, B, I), lengths (B,), state (the previous chunk's) -> ((T, B, H), state)."""
        if x.dim() != 3:
            raise ValueError(f"expected x of shape (T, B, I), got {tuple(x.shape)}")
        if state is not None and (lengths is not None or not self.causal):
            raise ValueError("a carried cnn state continues one unpadded stream: it needs "
                             "bidirectional = false and no lengths")
        pad = padding_mask(lengths, x.shape[0], x.shape[1], x.device)  # (B, T)
        keep = None if pad is None else (~pad).to(x.dtype)[:, None, :]  # (B, 1, T)
        h = x.permute(1, 2, 0)  # (B, I, T)
        states = []
        for index, block in enumerate(self.blocks):
            h, s = block(h, keep, None if state is None else state[index])
            states.append(s)
        out = zero_padding(h.permute(2, 0, 1), pad)  # (T, B, H)
        return out, (states if self.causal else None)


def check_cnn(config: Any) -> None:
    if config.kernel_size < 2:
        raise ValueError(f"cnn: expected kernel_size >= 2, got {config.kernel_size}")
