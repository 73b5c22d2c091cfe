"""Stream batching for truncated BPTT: the corpus as B parallel streams.

Symbols: N tokens in the corpus, B streams (the batch), L = N // B tokens per
stream, T the BPTT length. The token stream is cut into B contiguous pieces laid
side by side as the columns of an (L, B) matrix; batch i is rows
[s_i, s_i + T) as input and the same rows shifted by one as target. Because
column b of batch i+1 continues column b of batch i, the recurrent state at the
end of one batch is the right state to start the next: the trainer carries it
and detaches it there (truncated BPTT, Williams & Peng 1990).

::

    tokens  a b c d e f g h i j k l        B = 3 -> streams  a e i
                                                             b f j
                                                             c g k
                                                             d h l
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate

import torch
from torch import Tensor


def batchify(ids: Sequence[int] | Tensor, batch_size: int) -> Tensor:
    """Token ids (N,) -> (L, B) streams, L = N // B; the last N mod B tokens are dropped."""
    data = torch.as_tensor(ids, dtype=torch.long).flatten()  # (N,)
    if batch_size < 1:
        raise ValueError(f"expected batch_size >= 1, got {batch_size}")
    length = data.numel() // batch_size
    if length < 2:
        raise ValueError(
            f"expected at least 2 tokens per stream, got {data.numel()} token(s) for "
            f"{batch_size} streams; use a smaller batch or more text"
        )
    return data[: length * batch_size].view(batch_size, length).t().contiguous()  # (L, B)


def random_chunk_lengths(total: int, bptt: int, seed: int) -> list[int]:
    """AWD-LSTM chunk lengths (Merity et al. 2018) covering ``total`` steps, fixed by ``seed``.

    Each chunk's mean is m = T with probability 0.95, else T/2; its length is
    max(5, ⌊m + 5·z⌋) with z ~ N(0, 1) (truncated toward zero); the last chunk
    takes what remains (and may be shorter than 5). Over epochs every token is
    seen at every position of a chunk. Mean length ≈ 0.95·T + 0.05·T/2 − ½.
    With SGD, AWD-LSTM also scales the learning rate by length / T (a task can
    scale its loss by the same factor).
    """
    if total < 0 or bptt < 1:
        raise ValueError(f"expected total >= 0 and bptt >= 1, got {total}, {bptt}")
    gen = torch.Generator().manual_seed(seed)
    lengths: list[int] = []
    covered = 0
    while covered < total:
        mean = bptt if torch.rand((), generator=gen).item() < 0.95 else bptt / 2
        length = max(5, int(mean + 5 * torch.randn((), generator=gen).item()))
        lengths.append(min(length, total - covered))
        covered += lengths[-1]
    return lengths


class StreamBatches(Sequence[tuple[Tensor, Tensor]]):
    """The (input, target) chunks of (L, B) streams, indexable and deterministic.

    ``variable_length`` draws each chunk's length as AWD-LSTM does
    (``random_chunk_lengths``), seeded by (seed, epoch): every epoch cuts the
    streams at different places (each token is sometimes early, sometimes late
    in a chunk) and a resumed run sees the same chunks as an uninterrupted one.
    """

    def __init__(
        self,
        streams: Tensor,
        bptt: int,
        *,
        variable_length: bool = False,
        epoch: int = 0,
        seed: int = 0,
    ) -> None:
        if streams.dim() != 2:
            raise ValueError(f"expected streams of shape (L, B), got {tuple(streams.shape)}")
        if bptt < 1:
            raise ValueError(f"expected bptt >= 1, got {bptt}")
        self.streams = streams  # (L, B)
        self.bptt = bptt
        usable = streams.size(0) - 1  # the last row is only a target
        if variable_length:
            self.lengths = random_chunk_lengths(usable, bptt, seed * 100_003 + epoch)
        else:
            self.lengths = [min(bptt, usable - i) for i in range(0, usable, bptt)]
        self.starts = list(accumulate(self.lengths, initial=0))[:-1]  # chunk i: [s_i, s_i + n_i)

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor]:  # type: ignore[override]
        if not -len(self) <= index < len(self):
            raise IndexError(f"batch {index} out of range for {len(self)} batches")
        start, length = self.starts[index], self.lengths[index]
        x = self.streams[start : start + length]  # (T, B) inputs
        y = self.streams[start + 1 : start + 1 + length]  # (T, B) next tokens
        return x, y

    @property
    def num_tokens(self) -> int:
        """Target tokens over all batches: (L - 1) * B."""
        return (self.streams.size(0) - 1) * self.streams.size(1)
