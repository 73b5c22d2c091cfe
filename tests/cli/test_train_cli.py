"""``rnnlab train CONFIG.toml``, ``--set``, ``--resume``: the one recipe from the command line,
with every refusal made before any data is read or any file written."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
from torch import nn

from rnnlab.cli.main import main
from rnnlab.config import load_toml
from rnnlab.tasks import ConfigSchema, TaskKind, register_task
from rnnlab.training import StepResult, read_metrics

CONFIG = """
[task]
kind = "toy-stream"

[toy]
hidden = 6

[train]
epochs = 2
lr = 0.01
carry_state = true
checkpoint_every = 3
"""


@dataclass(frozen=True)
class ToySection:
    hidden: int = 8  # LSTM hidden size


class ToyStream:
    """Next-value prediction on a fixed random stream, 8 chunks of 8 steps: a TBPTT task."""

    def __init__(self, hidden: int) -> None:
        g = torch.Generator().manual_seed(0)
        self.stream = torch.randn(65, 4, 1, generator=g)
        self.model = nn.ModuleDict({"lstm": nn.LSTM(1, hidden), "head": nn.Linear(hidden, 1)})

    def batches(self, split: str, epoch: int) -> list:
        s = self.stream if split == "train" else self.stream[:17]
        return [(s[i:i + 8], s[i + 1:i + 9]) for i in range(0, s.shape[0] - 8, 8)]

    def step(self, batch, state) -> StepResult:
        x, y = batch
        h, state = self.model["lstm"](x, state)
        return StepResult(nn.functional.mse_loss(self.model["head"](h), y), state, y.numel())

    def eval_metrics(self, mean_loss: float) -> dict[str, float]:
        return {"rmse": math.sqrt(mean_loss)}


BUILDS: list[str] = []  # run directories the toy task was built for (data "read")


def _build(config, run_dir) -> ToyStream:
    BUILDS.append(str(run_dir))
    return ToyStream(config["toy"].hidden)


@pytest.fixture(autouse=True)
def toy_task():
    BUILDS.clear()
    register_task(TaskKind(ConfigSchema("toy-stream", {"toy": ToySection}), _build), replace=True)


def test_train_then_resume_longer(tmp_path):
    cfg = tmp_path / "toy.toml"
    cfg.write_text(CONFIG)
    run_dir = tmp_path / "run"
    assert main(["train", str(cfg), "--run-dir", str(run_dir), "--quiet",
                 "--set", "train.lr=0.02"]) == 0
    saved = load_toml(run_dir / "config.toml")
    assert saved["train"]["lr"] == 0.02 and saved["toy"] == {"hidden": 6}
    assert saved["task"]["kind"] == "toy-stream"
    assert saved["train"]["keep_last"] == 3  # every resolved field is recorded, defaults too
    assert max(r["step"] for r in read_metrics(run_dir)) == 16
    assert main(["train", "--resume", str(run_dir), "--quiet", "--set", "train.epochs=3"]) == 0
    steps = [r["step"] for r in read_metrics(run_dir) if r["split"] == "train"]
    assert steps == list(range(1, 25))
    assert load_toml(run_dir / "config.toml")["train"]["epochs"] == 3


def test_default_run_dir_is_named_after_the_config(tmp_path, monkeypatch):
    cfg = tmp_path / "toy.toml"
    cfg.write_text(CONFIG.replace("epochs = 2", "epochs = 1"))
    monkeypatch.chdir(tmp_path)
    assert main(["train", str(cfg), "--quiet"]) == 0
    assert (tmp_path / "runs" / "toy" / "config.toml").is_file()


@pytest.mark.parametrize(
    ("text", "extra", "message"),
    [
        ("[train]\nepochs = 1\n", [], "[task] table"),
        ('[task]\nkind = "nope"\n', [], "unknown task 'nope'"),
        ('[task]\nkind = "toy_stream"\n', [], "did you mean 'toy-stream'"),
        ('[task]\nkind = "tests.toy:build"\n', [], "unknown task 'tests.toy:build'"),
        (CONFIG + '[trian]\nepochs = 100\n', [], "unknown section(s) ['trian']"),
        (CONFIG, ["--set", "trian.epochs=3"], "unknown section(s) ['trian']"),
        (CONFIG, ["--set", "train.optimiser=sgd"], "unknown field(s) ['optimiser']"),
        (CONFIG, ["--set", "train.lr=fast"], "[train].lr: expected a number, got 'fast'"),
        (CONFIG.replace("epochs = 2", 'epochs = "ten"'), [], "expected an integer, got 'ten'"),
        (CONFIG.replace("hidden = 6", "hidden = 16.5"), [], "[toy].hidden: expected an integer"),
        (CONFIG, ["--set", "train.carry_state=1"], "expected true or false, got 1"),
        (CONFIG, ["--set", "train.clip_norm=nan"], "expected a finite number, got nan"),
        (CONFIG, ["--set", "train.momentum=inf"], "expected a finite number, got inf"),
        (CONFIG, ["--set", "train.lr=-1"], "train.lr: expected a number > 0"),
    ],
)
def test_bad_configs_are_refused_before_any_data_is_read(tmp_path, capsys, text, extra, message):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(text)
    assert main(["train", str(cfg), "--run-dir", str(tmp_path / "r"), *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rnnlab: error: ") and message in err and "Traceback" not in err
    assert BUILDS == [] and not (tmp_path / "r").exists()


def test_a_refused_train_leaves_the_existing_run_untouched(tmp_path, capsys):
    cfg = tmp_path / "toy.toml"
    cfg.write_text(CONFIG.replace("epochs = 2", "epochs = 1"))
    run_dir = tmp_path / "run"
    assert main(["train", str(cfg), "--run-dir", str(run_dir), "--quiet"]) == 0
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in run_dir.rglob("*") if p.is_file()}
    BUILDS.clear()
    other = tmp_path / "other.toml"
    other.write_text(CONFIG.replace("hidden = 6", "hidden = 12"))
    assert main(["train", str(other), "--run-dir", str(run_dir), "--quiet"]) == 2
    assert "already holds a run" in capsys.readouterr().err
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in run_dir.rglob("*") if p.is_file()}
    assert after == before and BUILDS == []  # nothing read, nothing written


def test_resume_refusals(tmp_path, capsys):
    assert main(["train", "--resume", str(tmp_path / "none")]) == 2
    assert "run directory not found" in capsys.readouterr().err
    cfg = tmp_path / "toy.toml"
    cfg.write_text(CONFIG.replace("epochs = 2", "epochs = 1"))
    run_dir = tmp_path / "run"
    assert main(["train", str(cfg), "--run-dir", str(run_dir), "--quiet"]) == 0
    assert main(["train", "--resume", str(run_dir), "--set", "toy.hidden=3"]) == 2
    assert "only train.* fields can change" in capsys.readouterr().err
    assert main(["train", str(cfg), "--resume", str(run_dir)]) == 2
    assert "give no CONFIG.toml" in capsys.readouterr().err


def test_a_read_only_place_is_refused_with_its_path(tmp_path, capsys, monkeypatch):
    # the check asks os.access (as root every folder is writable, so the answer is faked here)
    locked = tmp_path / "locked"
    locked.mkdir()
    monkeypatch.setattr("rnnlab.training.files.os.access", lambda path, mode: Path(path) != locked)
    cfg = tmp_path / "toy.toml"
    cfg.write_text(CONFIG)
    assert main(["train", str(cfg), "--run-dir", str(locked / "run")]) == 2
    assert f"cannot write the run directory {locked / 'run'}: {locked} is not writable" in (
        capsys.readouterr().err)
    assert BUILDS == []
