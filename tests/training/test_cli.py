"""``rnnlab train CONFIG.toml``, ``--set``, ``--resume``."""

from __future__ import annotations

import pytest

from rnnlab.cli.main import main
from rnnlab.cli.train import resolve_builder
from rnnlab.config import load_toml
from rnnlab.training import read_metrics

CONFIG = """
[task]
kind = "toy:build"

[toy]
hidden = 6

[train]
epochs = 2
lr = 0.01
carry_state = true
checkpoint_every = 3
"""


def test_train_then_resume_longer(tmp_path, capsys):
    cfg = tmp_path / "toy.toml"
    cfg.write_text(CONFIG)
    run_dir = tmp_path / "run"
    assert main(["train", str(cfg), "--run-dir", str(run_dir), "--quiet",
                 "--set", "train.lr=0.02"]) == 0
    saved = load_toml(run_dir / "config.toml")
    assert saved["train"]["lr"] == 0.02 and saved["toy"] == {"hidden": 6}
    assert saved["task"]["kind"] == "toy:build"
    assert max(r["step"] for r in read_metrics(run_dir)) == 16
    assert main(["train", "--resume", str(run_dir), "--quiet", "--set", "train.epochs=3"]) == 0
    steps = [r["step"] for r in read_metrics(run_dir) if r["split"] == "train"]
    assert steps == list(range(1, 25))
    assert load_toml(run_dir / "config.toml")["train"]["epochs"] == 3


def test_bad_configs_get_clear_errors(tmp_path, capsys):
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[train]\nepochs = 1\n")
    assert main(["train", str(cfg), "--run-dir", str(tmp_path / "r")]) == 2
    assert "[task] table" in capsys.readouterr().err
    cfg.write_text('[task]\nkind = "nope"\n')
    assert main(["train", str(cfg), "--run-dir", str(tmp_path / "r")]) == 2
    assert "unknown task 'nope'" in capsys.readouterr().err
    cfg.write_text('[task]\nkind = "toy:build"\n[train]\noptimiser = "sgd"\n')
    assert main(["train", str(cfg), "--run-dir", str(tmp_path / "r")]) == 2
    assert "unknown field(s) ['optimiser']" in capsys.readouterr().err
    assert main(["train", "--resume", str(tmp_path / "none")]) == 2
    with pytest.raises(ValueError, match="cannot import"):
        resolve_builder("no_such_module:build")
