"""Stream batching for truncated BPTT: layout, targets, determinism."""

from __future__ import annotations

import pytest
import torch

from rnnlab.data.text import StreamBatches, batchify


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
