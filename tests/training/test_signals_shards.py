"""GracefulStop (Ctrl-C / SIGTERM) and the default DDP sharding of batch lists."""

from __future__ import annotations

import os
import signal

import pytest

from rnnlab.training.distributed import ShardedBatches
from rnnlab.training.signals import GracefulStop


def test_first_signal_requests_a_stop_second_ctrl_c_interrupts():
    before = signal.getsignal(signal.SIGINT)
    with GracefulStop() as stop:
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop.requested == "SIGTERM"
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)  # a stuck step: the second Ctrl-C wins
    assert signal.getsignal(signal.SIGINT) is before  # handlers restored
    with GracefulStop() as stop:
        os.kill(os.getpid(), signal.SIGINT)
        assert stop.requested == "SIGINT"


def test_sharded_batches_are_disjoint_equal_and_cover_whole_rounds():
    batches = list(range(11))
    shards = [ShardedBatches(batches, r, 3) for r in range(3)]
    assert [list(s) for s in shards] == [[0, 3, 6], [1, 4, 7], [2, 5, 8]]
    assert all(len(s) == 3 for s in shards)  # the last partial round is dropped
    with pytest.raises(IndexError):
        shards[0][3]
