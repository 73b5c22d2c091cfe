"""The sigmoid Elman network on PyTorch's fused tanh kernel, through an exact identity.

PyTorch has no sigmoid RNN kernel, but σ(a) = (1 + tanh(a/2)) / 2. Write
h_t = (1 + u_t) / 2; then u_t = tanh(a_t / 2) with

    a_t / 2 = (W_ih / 2) x_t + b_ih / 2 + (W_hh / 4) u_{t-1} + b_hh / 2 + (W_hh 1) / 4

(1 the all-ones vector, so W_hh 1 holds the row sums of W_hh): a tanh RNN with

    W'_ih = W_ih / 2,  b'_ih = b_ih / 2,  W'_hh = W_hh / 4,  b'_hh = b_hh / 2 + (W_hh 1) / 4,
    u_0 = 2 h_0 − 1,   h_t = (1 + u_t) / 2.

Each layer runs as one ``torch._VF.rnn_tanh`` call (both directions at once);
h is formed between layers, where dropout acts as in ``torch.nn``. The
transformations are ordinary autograd operations, so gradients reach the
parameters (and whatever :meth:`forward_weights` returned) exactly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F
from torch import _VF, Tensor

if TYPE_CHECKING:  # fused.py imports this module
    from rnnlab.layers.fused import KernelArgs


def tanh_weights_for_sigmoid(
    w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None, b_hh: Tensor | None
) -> list[Tensor]:
    """(W'_ih, W'_hh, b'_ih, b'_hh) of the tanh RNN whose u_t = 2 h_t − 1."""
    b_ih2 = w_ih.new_zeros(w_ih.shape[0]) if b_ih is None else b_ih / 2  # b'_ih = b_ih / 2
    b_hh2 = w_hh.sum(dim=1) / 4  # (W_hh 1) / 4
    if b_hh is not None:
        b_hh2 = b_hh2 + b_hh / 2  # b'_hh = b_hh / 2 + (W_hh 1) / 4
    return [w_ih / 2, w_hh / 4, b_ih2, b_hh2]  # W'_ih = W_ih / 2, W'_hh = W_hh / 4


def rnn_sigmoid(
    args: KernelArgs, x: Tensor, batch_sizes: Tensor | None, hx: Tensor, weights: list[Tensor]
) -> tuple[Tensor, Tensor]:
    """``torch._VF.rnn_tanh`` with φ = σ: padded x (``batch_sizes=None``) or packed data.

    Returns (output h (T, B, D·H) or packed data, h_n (L·D, B, H)).
    """
    dirs = 2 if args.bidirectional else 1
    per = 4 if args.has_bias else 2
    finals = []
    for layer in range(args.num_layers):
        flat: list[Tensor] = []
        for k in range(layer * dirs, (layer + 1) * dirs):
            w = weights[k * per : (k + 1) * per]
            b = w[2:] if args.has_bias else (None, None)
            flat += tanh_weights_for_sigmoid(w[0], w[1], *b)
        u0 = 2 * hx[layer * dirs : (layer + 1) * dirs] - 1  # u_0 = 2 h_0 − 1, (D, B, H)
        one = (True, 1, 0.0, False, args.bidirectional)  # bias, one layer, no dropout
        if batch_sizes is None:
            u, u_n = _VF.rnn_tanh(x, u0, flat, *one, args.batch_first)
        else:
            u, u_n = _VF.rnn_tanh(x, batch_sizes, u0, flat, *one)
        x = (1 + u) / 2  # h_t = (1 + u_t) / 2 = σ(a_t)
        finals.append((1 + u_n) / 2)
        if args.dropout > 0 and args.training and layer < args.num_layers - 1:
            x = F.dropout(x, float(args.dropout), training=True)  # as torch.nn: between layers
    return x, torch.cat(finals)  # (L·D, B, H)
