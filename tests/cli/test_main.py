import subprocess
import sys

import pytest

from rnnlab.cli.main import main


def test_help_lists_the_demo(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert "demo" in capsys.readouterr().out


def test_no_command_prints_help_and_fails(capsys):
    assert main([]) == 2
    assert "usage: rnnlab" in capsys.readouterr().out


def test_unknown_demo_section_is_a_clear_error_listing_the_names(capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--run-dir", str(tmp_path), "--only", "nonsense"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'nonsense'" in err and "'language-model'" in err
    assert not (tmp_path / "language-model").exists()


def test_python_dash_m_runs_the_cli():
    done = subprocess.run(
        [sys.executable, "-m", "rnnlab", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.startswith("rnnlab ")


def test_checkpoint_errors_are_reported_without_a_traceback(monkeypatch, capsys):
    from rnnlab.cli import demo
    from rnnlab.training import CheckpointError

    def broken(args):
        raise CheckpointError("no usable checkpoint in runs/x: model.safetensors is truncated")

    monkeypatch.setattr(demo, "run", broken)
    assert main(["demo"]) == 2  # a corrupt checkpoint is bad input like any other
    assert "rnnlab: error: no usable checkpoint in runs/x" in capsys.readouterr().err


def test_a_bug_keeps_its_traceback(monkeypatch):
    from rnnlab.cli import demo

    def buggy(args):
        raise KeyError("oops")

    monkeypatch.setattr(demo, "run", buggy)
    with pytest.raises(KeyError, match="oops"):
        main(["demo"])


def test_config_lists_tasks_and_every_field_with_its_default(capsys):
    import tomllib

    from rnnlab.tasks import resolve_config

    assert main(["config"]) == 0
    listed = capsys.readouterr().out
    assert "lm " in listed and "forecast " in listed
    assert main(["config", "lm"]) == 0
    text = capsys.readouterr().out
    assert "dropout_mask" in text and "# W_s = W_e (Press & Wolf 2017)" in text
    assert "clip_norm = 0.25" in text  # the lm task's own [train] default, not TrainConfig's
    resolved = resolve_config(tomllib.loads(text))  # what it prints is a valid config...
    assert resolved.to_dict() == resolve_config(None, kind="lm").to_dict()  # ...of the defaults
    assert main(["config", "lmm"]) == 2
    assert "did you mean 'lm'" in capsys.readouterr().err


def test_the_demo_runs_again_and_again(tmp_path, capsys):
    for _ in range(2):
        assert main(["demo", "--quick", "--run-dir", str(tmp_path), "--only", "gradients"]) == 0
    out = capsys.readouterr().out
    assert "replacing the previous tour's files" in out and "gradients" in out
