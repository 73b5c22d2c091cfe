"""train.max_seconds: a wall-clock budget ends the run cleanly, as max_steps does."""

from __future__ import annotations

import pytest
from toy import LinearTask

from rnnlab.training import TrainConfig, Trainer
from rnnlab.training import training_state as state_module
from rnnlab.training.metrics import read_metrics


class FakeClock:
    """A clock that moves 1 s per training step (each step reads it once for its record)."""

    def __init__(self) -> None:
        self.now = 0.0

    def perf_counter(self) -> float:
        return self.now

    process_time = perf_counter  # one second of CPU per second of wall clock


class TickingTask(LinearTask):
    def __init__(self, clock: FakeClock, **kw) -> None:
        super().__init__(**kw)
        self.clock = clock

    def step(self, batch, state):
        if batch != "v":
            self.clock.now += 1.0  # every training step takes one second
        return super().step(batch, state)


def test_max_seconds_stops_cleanly_with_a_last_evaluation_and_checkpoint(tmp_path, monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(state_module, "time", clock)
    task = TickingTask(clock, n_batches=10, valid_losses=[1.0])
    config = TrainConfig(epochs=5, max_seconds=3.5, progress=False)
    trainer = Trainer(task, config, tmp_path)
    trainer.state.clock = trainer.state.cpu_clock = clock.now  # the run begins at 0 s
    summary = trainer.fit()
    assert summary["stopped"] == "time_budget"
    assert summary["steps"] == 4  # at 3 s the budget is not spent; the 4th step ends at 4 s
    assert summary["wall_time"] == pytest.approx(4.0)
    assert summary["last_checkpoint"].endswith("step-00000004")
    records = read_metrics(tmp_path)
    assert [r["split"] for r in records][-1] == "valid"  # the run ends on an evaluation


def test_max_seconds_must_be_positive():
    with pytest.raises(ValueError, match="train.max_seconds"):
        TrainConfig(max_seconds=0)


def test_max_cpu_seconds_counts_cpu_time(tmp_path, monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(state_module, "time", clock)
    task = TickingTask(clock, n_batches=10)
    trainer = Trainer(task, TrainConfig(epochs=5, max_cpu_seconds=2.5, progress=False), tmp_path)
    trainer.state.clock = trainer.state.cpu_clock = clock.now
    summary = trainer.fit()
    assert (summary["stopped"], summary["steps"]) == ("time_budget", 3)
    assert summary["cpu_time"] == pytest.approx(3.0)
    assert read_metrics(tmp_path)[0]["cpu_time"] == pytest.approx(1.0)
