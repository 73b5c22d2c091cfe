"""DDP on CPU: 2 processes with batch b each == 1 process with batch 2b; exact DDP resume."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from toy import StreamTask

from rnnlab.training import TrainConfig, Trainer, load_weights, read_metrics


@pytest.mark.slow  # starts torchrun with 2 processes: ~10-30 s on the shared 2-core machine
def test_two_ranks_with_half_batches_equal_one_process(tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    worker = Path(__file__).with_name("ddp_worker.py")
    proc = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
         str(worker), str(tmp_path)],
        env=env, capture_output=True, text=True, timeout=150,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]

    config = TrainConfig(epochs=1, optimizer="adam", lr=0.01, clip_norm=0.5, carry_state=True,
                         checkpoint_every=1, seed=1, progress=False)
    single = StreamTask(steps=32, batch=4)
    Trainer(single, config, tmp_path / "single").fit()
    for name in ("equal", "bypass"):  # bypass: gradients still averaged over the ranks
        ddp = StreamTask(steps=32, batch=4)
        load_weights(ddp.model, tmp_path / name, "last")
        for p, q in zip(single.model.parameters(), ddp.model.parameters(), strict=True):
            torch.testing.assert_close(p, q, rtol=1e-5, atol=1e-6)
    moved = max(float((p - q).detach().abs().max()) for p, q in zip(
        single.model.parameters(), StreamTask(steps=32, batch=4).model.parameters(), strict=True))
    assert moved > 1e-3  # the parameters did change: the comparison is not vacuous
    single_losses = _train_losses(tmp_path / "single")
    ddp_losses = _train_losses(tmp_path / "equal")
    assert [s for s, _ in ddp_losses] == [1, 2, 3, 4]  # rank 0 alone writes the log
    for (_, a), (_, b) in zip(single_losses, ddp_losses, strict=True):
        assert abs(a - b) < 1e-5  # the logged loss is the mean over both ranks

    # SIGTERM on one rank: both stopped after the next step, with a checkpoint
    stopped = json.loads((tmp_path / "cut_summary.json").read_text())
    assert stopped["stopped"].startswith("signal:") and stopped["steps"] == 3
    assert stopped["last_checkpoint"].endswith("step-00000003")
    # with dropout (per-rank RNG) and a state carried across the stop: resume is exact
    full, cut = StreamTask(steps=32, batch=4), StreamTask(steps=32, batch=4)
    load_weights(full.model, tmp_path / "full", "last")
    load_weights(cut.model, tmp_path / "cut", "last")
    for p, q in zip(full.model.parameters(), cut.model.parameters(), strict=True):
        assert torch.equal(p, q)
    assert _train_losses(tmp_path / "full") == _train_losses(tmp_path / "cut")


def _train_losses(run_dir):
    return [(r["step"], r["loss"]) for r in read_metrics(run_dir) if r["split"] == "train"]
