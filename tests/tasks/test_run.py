"""The one train recipe: a stopped run is not finished (no evaluation of a partial model),
``resume`` finishes it, the CLI exits 130/143 with a resume hint, ``replace`` is explicit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
from torch import nn

from rnnlab.cli.main import main
from rnnlab.config import ConfigError
from rnnlab.tasks import ConfigSchema, TaskKind, register_task, resume, train
from rnnlab.training import StepResult

FINISHED: list[str] = []


@dataclass(frozen=True)
class Toy:
    stop_at: int = 0  # send this process a signal after this step (0: never)
    signal: str = "SIGINT"


class LinearTask:
    def __init__(self, section: Toy) -> None:
        g = torch.Generator().manual_seed(0)
        self.x, self.y = torch.randn(40, 3, generator=g), torch.randn(40, 1, generator=g)
        self.model = nn.Linear(3, 1)
        self.section = section

    def batches(self, split: str, epoch: int) -> list[int]:
        return list(range(8)) if split == "train" else [8, 9]

    def step(self, batch: int, state) -> StepResult:
        x, y = self.x[4 * batch:4 * batch + 4], self.y[4 * batch:4 * batch + 4]
        return StepResult(nn.functional.mse_loss(self.model(x), y), items=4)

    def eval_metrics(self, mean_loss: float) -> dict[str, float]:
        return {}


class SignalAt:
    """A callback that signals this very process after a given step (as Ctrl-C would)."""

    def __init__(self, step: int, name: str) -> None:
        self.step, self.signum = step, getattr(signal, name)

    def on_step_end(self, trainer, step, result):
        if step == self.step:
            os.kill(os.getpid(), self.signum)


def _finish(config, run_dir, task) -> str:
    FINISHED.append(str(run_dir))
    return "report"


@pytest.fixture(autouse=True)
def toy_kind():
    FINISHED.clear()
    schema = ConfigSchema("toy-linear", {"toy": Toy}, train_defaults={"progress": False})
    register_task(TaskKind(schema, lambda c, d: LinearTask(c["toy"]), _finish), replace=True)


def config(**train) -> dict:
    return {"task": {"kind": "toy-linear"}, "train": {"epochs": 2, "lr": 0.05, **train}}


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM"])
def test_a_signal_stops_without_finishing_and_resume_finishes(tmp_path, name):
    run = tmp_path / "run"
    result = train(config(), run, callbacks=[SignalAt(5, name)])
    assert result.interrupted == name and result.summary["steps"] == 5
    assert result.report is None and FINISHED == []  # no evaluation of a partial model
    done = resume(run)
    assert done.interrupted is None and done.summary["steps"] == 16
    assert done.report == "report" and [str(run)] == FINISHED


def test_the_cli_exits_130_and_says_how_to_resume(tmp_path, capsys, monkeypatch):
    import rnnlab.tasks.run as recipe

    original = recipe.Trainer

    def with_signal(task, cfg, run_dir, **kw):  # Ctrl-C after step 3
        return original(task, cfg, run_dir, **{**kw, "callbacks": [SignalAt(3, "SIGINT")]})

    monkeypatch.setattr(recipe, "Trainer", with_signal)
    toml = tmp_path / "toy.toml"
    toml.write_text('[task]\nkind = "toy-linear"\n[train]\nepochs = 2\n')
    run = tmp_path / "run"
    assert main(["train", str(toml), "--run-dir", str(run)]) == 130
    err = capsys.readouterr().err
    assert f"Finish it with: rnnlab train --resume {run}" in err and FINISHED == []
    monkeypatch.setattr(recipe, "Trainer", original)
    assert main(["train", "--resume", str(run)]) == 0
    assert [str(run)] == FINISHED


def test_replace_is_explicit(tmp_path):
    run = tmp_path / "run"
    train(config(), run)
    with pytest.raises(ConfigError, match="already holds a run"):
        train(config(), run)
    (run / "mine.txt").write_text("kept?")
    train(config(), run, replace=True)
    assert not (run / "mine.txt").exists() and (run / "config.toml").is_file()


def test_a_file_where_the_run_directory_should_be(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(ConfigError, match="is a file, not a folder"):
        train(config(), tmp_path / "f")


def test_sigterm_outside_the_fit_exits_143_and_resume_finishes(tmp_path):
    """SIGTERM during the evaluation after the fit (no GracefulStop there): exit 143 with the
    resume hint, not a silent death by the signal; --resume then finishes the job."""
    script = tmp_path / "term.py"
    script.write_text(f"""
import os, signal, sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
import test_run
from rnnlab.cli.main import main
from rnnlab.tasks import ConfigSchema, TaskKind, register_task

def finish(config, run_dir, task):
    if sys.argv[1] == "term":
        os.kill(os.getpid(), signal.SIGTERM)
    print("finished", flush=True)

schema = ConfigSchema("toy-term", {{"toy": test_run.Toy}}, train_defaults={{"progress": False}})
register_task(TaskKind(schema, lambda c, d: test_run.LinearTask(c["toy"]), finish))
sys.exit(main(sys.argv[2:]))
""")
    toml = tmp_path / "toy.toml"
    toml.write_text('[task]\nkind = "toy-term"\n[train]\nepochs = 1\n')
    run = tmp_path / "run"

    def rnnlab(*argv):
        return subprocess.run([sys.executable, str(script), *argv], capture_output=True,
                              text=True, timeout=300)

    done = rnnlab("term", "--threads", "1", "train", str(toml), "--run-dir", str(run))
    assert done.returncode == 143, done.stderr
    assert "rnnlab: stopped by SIGTERM" in done.stderr and "Traceback" not in done.stderr
    assert f"Finish it with: rnnlab train --resume {run}" in done.stderr
    assert "finished" not in done.stdout
    done = rnnlab("ok", "--threads", "1", "train", "--resume", str(run))
    assert done.returncode == 0 and "finished" in done.stdout, done.stderr
