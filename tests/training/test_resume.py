"""Exact resume, signals, corrupt checkpoints, retention."""

from __future__ import annotations

import os
import signal

import pytest
import torch
from toy import StreamTask

from rnnlab.training import (
    CheckpointError,
    TrainConfig,
    Trainer,
    latest_good_checkpoint,
    load_weights,
    read_metrics,
)
from rnnlab.training.checkpoint import step_checkpoints


def _losses(run_dir):
    return [(r["step"], r["loss"]) for r in read_metrics(run_dir) if r["split"] == "train"]


class KillAt:
    """Sends this process SIGTERM after step ``n``: the trainer must finish, save, stop."""

    def __init__(self, n: int) -> None:
        self.n = n

    def on_step_end(self, trainer, step, result):
        if step == self.n:
            os.kill(os.getpid(), signal.SIGTERM)
        return {"seen": float(step)}


CONFIG = TrainConfig(epochs=3, optimizer="adam", lr=0.01, clip_norm=0.5, carry_state=True,
                     checkpoint_every=4, keep_last=2, seed=3, progress=False)


def test_sigterm_then_resume_reproduces_the_uninterrupted_run(tmp_path):
    full = Trainer(StreamTask(dropout=0.3), CONFIG, tmp_path / "full").fit()
    assert full["stopped"] == "completed" and full["steps"] == 24

    first = Trainer(StreamTask(dropout=0.3), CONFIG, tmp_path / "cut", callbacks=[KillAt(10)])
    summary = first.fit()
    assert summary["stopped"] == "signal:SIGTERM" and summary["steps"] == 10
    assert summary["last_checkpoint"].endswith("step-00000010")  # mid-epoch, state carried
    second = Trainer.resume(StreamTask(dropout=0.3, init_seed=99), tmp_path / "cut")  # other init
    assert second.fit()["steps"] == 24

    expected, got = _losses(tmp_path / "full"), _losses(tmp_path / "cut")
    assert [s for s, _ in got] == list(range(1, 25))
    assert got == expected  # bitwise, step for step
    a, b = StreamTask(init_seed=5), StreamTask(init_seed=6)
    load_weights(a.model, tmp_path / "full", "last")
    load_weights(b.model, tmp_path / "cut", "last")
    for p, q in zip(a.model.parameters(), b.model.parameters(), strict=True):
        assert torch.equal(p, q)


def test_fresh_fit_refuses_a_run_dir_with_checkpoints(tmp_path):
    Trainer(StreamTask(), CONFIG, tmp_path).fit()
    with pytest.raises(ValueError, match="already has checkpoints"):
        Trainer(StreamTask(), CONFIG, tmp_path).fit()


def test_keep_last_and_best_retention(tmp_path):
    Trainer(StreamTask(), CONFIG, tmp_path).fit()
    steps = [s for s, _ in step_checkpoints(tmp_path)]
    assert steps == [20, 24]  # keep_last = 2
    meta = load_weights(StreamTask().model, tmp_path, "best")
    valid = [r for r in read_metrics(tmp_path) if r["split"] == "valid"]
    assert meta["valid"]["loss"] == min(r["loss"] for r in valid)


def test_corrupt_and_truncated_checkpoints_fall_back_to_the_previous_good_one(tmp_path, caplog):
    Trainer(StreamTask(), CONFIG, tmp_path).fit()
    newest = tmp_path / "checkpoints" / "step-00000024"
    weights = newest / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-3] ^= 0xFF  # one flipped byte
    weights.write_bytes(bytes(data))
    assert latest_good_checkpoint(tmp_path).name == "step-00000020"
    assert "corrupt or truncated" in caplog.text and "step-00000024" in caplog.text

    older = tmp_path / "checkpoints" / "step-00000020" / "optimizer.safetensors"
    older.write_bytes(older.read_bytes()[:100])  # truncated
    with pytest.raises(CheckpointError, match="no usable checkpoint"):
        latest_good_checkpoint(tmp_path)
    with pytest.raises(CheckpointError, match="no usable checkpoint"):
        load_weights(StreamTask().model, tmp_path, "last")


def test_resume_uses_the_previous_good_checkpoint(tmp_path):
    Trainer(StreamTask(), CONFIG, tmp_path / "full").fit()
    cut = Trainer(StreamTask(), CONFIG, tmp_path / "cut", callbacks=[KillAt(10)])
    cut.fit()
    (tmp_path / "cut" / "checkpoints" / "step-00000010" / "meta.json").write_text("{trunc")
    resumed = Trainer.resume(StreamTask(), tmp_path / "cut")
    resumed.fit()
    assert _losses(tmp_path / "cut") == _losses(tmp_path / "full")  # restarted from step 8


def test_load_weights_errors_are_clear(tmp_path):
    with pytest.raises(FileNotFoundError, match="run directory not found"):
        load_weights(StreamTask().model, tmp_path / "nope")
    Trainer(StreamTask(), CONFIG, tmp_path).fit()
    with pytest.raises(CheckpointError, match="does not fit this model"):
        load_weights(StreamTask(hidden=4).model, tmp_path, "best")
    with pytest.raises(ValueError, match="expected 'best' or 'last'"):
        load_weights(StreamTask().model, tmp_path, "first")


@pytest.mark.slow  # a subprocess that imports torch
def test_sigkill_loses_only_the_work_since_the_last_checkpoint(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    worker = Path(__file__).with_name("kill_worker.py")
    proc = subprocess.run([sys.executable, str(worker), str(tmp_path / "cut")],
                          env={**os.environ, "OMP_NUM_THREADS": "1"}, timeout=120)
    assert proc.returncode == -signal.SIGKILL
    assert [s for s, _ in step_checkpoints(tmp_path / "cut")] == [4, 8]
    # debris of a crash in the middle of a write
    (tmp_path / "cut" / "checkpoints" / ".tmp-step-00000012-999").mkdir()
    with open(tmp_path / "cut" / "metrics.jsonl", "a") as f:
        f.write('{"step": 11, "spl')  # a torn line
    Trainer.resume(StreamTask(dropout=0.3), tmp_path / "cut").fit()
    Trainer(StreamTask(dropout=0.3), CONFIG, tmp_path / "full").fit()
    assert _losses(tmp_path / "cut") == _losses(tmp_path / "full")
    assert not list((tmp_path / "cut" / "checkpoints").glob(".tmp-*"))


def _records(run_dir):
    """Every record but the timings (which differ between two runs)."""
    return [{k: v for k, v in r.items() if k not in ("wall_time", "cpu_time", "items_per_s")}
            for r in read_metrics(run_dir)]


@pytest.mark.slow  # a subprocess that imports torch
def test_sigkill_right_after_a_checkpoint_loses_no_metric_record(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    worker = Path(__file__).with_name("kill_worker.py")
    proc = subprocess.run([sys.executable, str(worker), str(tmp_path / "cut"), "after-checkpoint"],
                          env={**os.environ, "OMP_NUM_THREADS": "1"}, timeout=120)
    assert proc.returncode == -signal.SIGKILL
    assert [s for s, _ in step_checkpoints(tmp_path / "cut")] == [4, 8, 12]  # never pruned
    assert [r["step"] for r in read_metrics(tmp_path / "cut")][-4:] == [9, 10, 11, 12]
    Trainer.resume(StreamTask(dropout=0.3), tmp_path / "cut").fit()
    Trainer(StreamTask(dropout=0.3), CONFIG, tmp_path / "full").fit()
    assert _records(tmp_path / "cut") == _records(tmp_path / "full")  # same records, in order


def test_checkpoints_written_before_training_state_still_resume(tmp_path):
    """meta.json of the earlier format: the TBPTT window as a list of chunk indices, and
    the schedule without its divisions (counted back from the saved rate)."""
    import json

    from toy import LinearTask, TermAt

    config = TrainConfig(epochs=2, lr=0.01, carry_state=True, bptt_k2=16, checkpoint_every=1,
                         seed=3, progress=False)
    Trainer(StreamTask(dropout=0.3), config, tmp_path / "full").fit()
    Trainer(StreamTask(dropout=0.3), config, tmp_path / "cut", callbacks=[TermAt(3)]).fit()
    meta_path = tmp_path / "cut" / "checkpoints" / "step-00000003" / "meta.json"
    meta = json.loads(meta_path.read_text())
    assert meta["window"] == {"origin": 0}
    meta_path.write_text(json.dumps({**meta, "window": [2]}))  # the old list (m = 2)
    Trainer.resume(StreamTask(dropout=0.3), tmp_path / "cut").fit()
    assert _losses(tmp_path / "cut") == _losses(tmp_path / "full")

    plateau = TrainConfig(epochs=2, optimizer="sgd", lr=1.0, schedule="plateau",
                          progress=False)
    Trainer(LinearTask(n_batches=2, valid_losses=[1.0, 1.1]), plateau, tmp_path / "p").fit()
    meta_path = tmp_path / "p" / "checkpoints" / "step-00000004" / "meta.json"
    meta = json.loads(meta_path.read_text())
    assert meta["schedule"] == {"bad_evals": 0, "divisions": 1}
    meta_path.write_text(json.dumps({**meta, "schedule": {"bad_evals": 0}}))
    Trainer.resume(LinearTask(n_batches=2, valid_losses=[0.9]), tmp_path / "p",
                   overrides={"epochs": 3}).fit()
    assert [r["lr"] for r in read_metrics(tmp_path / "p") if r["split"] == "train"][4:] == \
        [0.25, 0.25]
