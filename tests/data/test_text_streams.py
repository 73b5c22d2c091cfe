"""Stream batching for truncated BPTT: layout, targets, determinism."""

from __future__ import annotations

import pytest
import torch

from rnnlab.data.text import StreamBatches, batchify
from rnnlab.data.text.streams import random_chunk_lengths


def test_batchify_lays_contiguous_streams_side_by_side():
    streams = batchify(list(range(13)), 3)  # 13 // 3 = 4 per stream, 1 token dropped
    assert streams.tolist() == [[0, 4, 8], [1, 5, 9], [2, 6, 10], [3, 7, 11]]
    with pytest.raises(ValueError, match="at least 2 tokens per stream"):
        batchify([1, 2, 3], 2)


def test_chunks_cover_every_target_once_and_continue_each_stream():
    streams = batchify(torch.arange(60), 4)  # (15, 4)
    batches = StreamBatches(streams, bptt=4)
    assert [x.size(0) for x, _ in batches] == [4, 4, 4, 2]
    targets = torch.cat([y for _, y in batches])  # (14, 4)
    assert torch.equal(targets, streams[1:])
    for x, y in batches:
        assert torch.equal(y, x + 1)  # the target is the next token of the same stream
    x1, _ = batches[1]
    x0, _ = batches[0]
    assert torch.equal(x1[0], x0[-1] + 1)  # batch i+1 continues batch i column by column
    assert batches.num_tokens == 56
    with pytest.raises(IndexError):
        batches[4]


def test_variable_lengths_are_deterministic_per_epoch_and_cover_all():
    streams = batchify(torch.arange(2000), 2)
    a = StreamBatches(streams, 35, variable_length=True, epoch=3)
    b = StreamBatches(streams, 35, variable_length=True, epoch=3)
    c = StreamBatches(streams, 35, variable_length=True, epoch=4)
    assert a.lengths == b.lengths and a.lengths != c.lengths
    assert sum(a.lengths) == streams.size(0) - 1 and min(a.lengths[:-1]) >= 5
    assert len(set(a.lengths)) > 3


def test_random_chunk_lengths_are_the_ones_that_run():
    """Golden lengths of the draw StreamBatches has always made (torch generator, seeded
    by seed * 100_003 + epoch): changing the draw would change existing runs."""
    assert random_chunk_lengths(1000, 35, 7 * 100_003 + 2) == [
        35, 31, 38, 30, 40, 33, 27, 37, 21, 14, 41, 35, 31, 32, 32, 21, 42, 38, 30, 34, 37,
        29, 41, 41, 36, 30, 28, 33, 35, 32, 16]
    streams = batchify(torch.arange(2 * 1001), 2)  # (1001, 2): 1000 usable rows
    batches = StreamBatches(streams, 35, variable_length=True, seed=7, epoch=2)
    assert batches.lengths == random_chunk_lengths(1000, 35, 7 * 100_003 + 2)
    assert batches.starts[:3] == [0, 35, 66]


def test_random_chunk_lengths_follow_awd_lstm():
    bptt, total = 70, 200_000
    a = random_chunk_lengths(total, bptt, seed=1)
    assert a == random_chunk_lengths(total, bptt, seed=1)  # deterministic per seed
    assert a != random_chunk_lengths(total, bptt, seed=2)
    assert sum(a) == total and min(a[:-1]) >= 5  # covers the stream exactly
    body = torch.tensor(a[:-1], dtype=torch.float64)
    # mixture: N(T, 5²) w.p. 0.95, N(T/2, 5²) w.p. 0.05, truncated toward zero (−½ on average)
    expected_mean = 0.95 * bptt + 0.05 * bptt / 2 - 0.5
    expected_std = (25 + 0.95 * 0.05 * (bptt / 2) ** 2 + 1 / 12) ** 0.5  # ≈ 8.8
    assert abs(float(body.mean()) - expected_mean) < 0.5  # standard error ≈ 0.16
    assert abs(float(body.std()) - expected_std) < 0.8
    half = float((body < 0.75 * bptt).double().mean())
    assert 0.03 < half < 0.07  # ~5 % of chunks have mean T/2
    assert random_chunk_lengths(12, 70, seed=0) == [12]  # a short stream: one chunk
    with pytest.raises(ValueError, match="expected total >= 0 and bptt >= 1"):
        random_chunk_lengths(10, 0, seed=0)
