"""Character-level word features: one vector per word from its characters (CNN or BiRNN).

Word embeddings know nothing of a word never seen in training; its spelling
often tells a lot (suffixes "-mente", "-ção", capitals, digits). Two classic
readers of a word's characters c_1 … c_m (embedded, size E_c):

* ``cnn`` (Ma & Hovy 2016): F filters of width k over the characters, then
  the max over positions: f = max_i ReLU(W · [c_i … c_{i+k−1}] + b)  (F,);
* ``rnn`` (Lample et al. 2016): a bidirectional recurrent layer over the
  characters; f = [h→_m ; h←_1]  (2·H_c,), the two final states.

Padding characters are masked (the CNN max) or skipped (the RNN's lengths).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from rnnlab.layers import Recurrent
from rnnlab.models.pooling import Pooling

CHAR_FEATURES = ("none", "cnn", "rnn")


class CharFeatures(nn.Module):
    """chars (N, W) int64, lengths (N,) -> word features (N, output_size)."""

    def __init__(self, kind: str, vocab_size: int, embedding_size: int = 25,
                 hidden_size: int = 25, kernel_size: int = 3, cell: str = "lstm") -> None:
        super().__init__()
        if kind not in CHAR_FEATURES[1:]:
            raise ValueError(f"expected char features 'cnn' or 'rnn', got {kind!r}")
        self.kind = kind
        self.embedding = nn.Embedding(vocab_size, embedding_size)  # (V_c, E_c)
        if kind == "cnn":
            self.conv = nn.Conv1d(embedding_size, hidden_size, kernel_size,
                                  padding=kernel_size // 2)
            self.output_size = hidden_size  # F
        else:
            self.rnn = Recurrent(cell, embedding_size, hidden_size, bidirectional=True)
            self.pool = Pooling("last", 2 * hidden_size, directions=2)
            self.output_size = 2 * hidden_size  # [h→_m ; h←_1]

    def forward(self, chars: Tensor, lengths: Tensor) -> Tensor:
        x = self.embedding(chars)  # (N, W, E_c)
        if self.kind == "cnn":
            pad = torch.arange(chars.size(1), device=x.device)[None, :] >= lengths[:, None]
            x = x.masked_fill(pad[..., None], 0.0)  # padding reads as the conv's zero padding
            h = torch.relu(self.conv(x.transpose(1, 2)))  # (N, F, W)
            return h.masked_fill(pad[:, None, :], float("-inf")).amax(-1)  # max over real chars
        outputs, _ = self.rnn(x.transpose(0, 1), lengths=lengths)  # (W, N, 2H_c)
        return self.pool(outputs, lengths)[0]  # (N, 2H_c)
