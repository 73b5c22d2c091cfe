"""What a new user meets first (issue 16): defaults in --help, the README's commands, the
shipped examples, flags that cannot work (devices, seeds, beams) refused clearly, and the
language-model run's own promises (baseline at the end, <unk> apart, resume safety)."""

from __future__ import annotations

import json
import logging
import math
import shutil
from pathlib import Path

import pytest
import torch

from rnnlab.cli.main import main

ROOT = Path(__file__).resolve().parents[2]


def test_help_shows_every_default(capsys):
    shown = {}
    for argv in (["--help"], ["lm", "generate", "--help"], ["forecast", "predict", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
        shown[argv[0]] = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    from rnnlab.cli.main import DEFAULT_THREADS

    assert "--threads THREADS torch intra-op threads" in shown["--help"]
    assert f") (default: {DEFAULT_THREADS})" in shown["--help"]
    assert "--max-tokens MAX_TOKENS tokens to generate at most (default: 50)" in shown["lm"]
    assert "(default: cpu)" in shown["lm"]
    assert "(default RUN_DIR/predict.csv)" in shown["forecast"]
    assert "(default: None)" not in " ".join(shown.values())  # no default is not a default


def test_the_readme_names_the_quick_tour_and_its_commands_exist(capsys):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "rnnlab demo --quick" in readme
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--help"])
    assert exit_info.value.code == 0 and "--quick" in capsys.readouterr().out


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.toml")), ids=lambda p: p.name)
def test_every_shipped_example_config_is_valid(path):
    from rnnlab.tasks import resolve_config
    from rnnlab.tasks.registry import BUILTIN

    assert resolve_config(path).kind in BUILTIN


def test_rnnlab_train_prints_the_report_with_its_baseline(lm_run, tmp_path, capsys):
    root, _ = lm_run
    config = tmp_path / "lm.toml"
    config.write_text(f'[task]\nkind = "lm"\n[data]\npath = "{(root / "corpus").as_posix()}"\n'
                      "batch_size = 2\nbptt = 6\n[model]\nembedding_size = 8\nhidden_size = 8\n"
                      "num_layers = 1\n[train]\nmax_steps = 2\n", encoding="utf-8")
    assert main(["train", str(config), "--run-dir", str(tmp_path / "r"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "# Language model" in out and "unigram" in out


def test_config_files_name_only_registered_cells(tmp_path, capsys):
    assert main(["lm", "train", "--run-dir", str(tmp_path / "r"), "--quiet",
                 "--set", 'model.cell="os:system"']) == 2
    assert "unknown cell 'os:system'" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    ("device", "message"),
    [("gpu", "--device: expected 'auto', 'cpu', 'cuda' or 'cuda:N', got 'gpu'"),
     ("mps", "got 'mps'"),
     ("cuda", "--device = 'cuda' but no CUDA device is available"),
     ("cuda:3", "--device = 'cuda:3' but no CUDA device is available")],
)
def test_unusable_devices_are_refused_before_the_run_is_read(tmp_path, capsys, device, message):
    if device.startswith("cuda") and torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    commands = [["lm", "evaluate"], ["lm", "next", "o"], ["lm", "generate"],
                ["lm", "agreement", "--data", "x"], ["classify", "evaluate"],
                ["classify", "predict", "x"], ["tag", "evaluate"], ["tag", "predict", "x"],
                ["translate", "evaluate"], ["translate", "translate", "x"],
                ["condgen", "evaluate"], ["condgen", "generate", "--condition", "x"]]
    for command in commands:  # every verb that loads a run: the device first
        assert main([*command[:2], str(tmp_path / "no-run"), *command[2:],
                     "--device", device]) == 2, command
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, (command, err)


def test_seeds_beyond_64_bits_are_refused(tmp_path, capsys):
    big = str(2**64)
    assert main(["lm", "train", "--run-dir", str(tmp_path / "r"), "--seed", big]) == 2
    assert "train.seed: expected an integer in [0, 2**63), got 18446744073709551616" in (
        capsys.readouterr().err)
    assert main(["lm", "generate", str(tmp_path / "r"), "--seed", big]) == 2
    assert "expected a seed in [0, 2**63)" in capsys.readouterr().err
    assert main(["diagnose", "compare", "--seeds", big, "--run-dir", str(tmp_path / "c")]) == 2
    assert "expected seeds in [0, 2**53)" in capsys.readouterr().err
    assert not (tmp_path / "r").exists() and not (tmp_path / "c").exists()


def test_a_beam_wider_than_the_vocabulary_never_returns_impossible_text(lm_run, capsys):
    _, run = lm_run
    vocab = len(json.loads((run / "tokenizer.json").read_text(encoding="utf-8"))["vocab"])
    assert main(["lm", "generate", str(run), "o", "--beam", str(3 * vocab), "--max-tokens",
                 "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == vocab - 1  # every token once, but <unk> (banned)
    assert all(math.isfinite(float(line.split()[0])) for line in lines)  # no -inf "<unk>"
    assert not any("<unk>" in line for line in lines)


def test_next_keeps_unk_apart(lm_run, capsys):
    _, run = lm_run
    assert main(["lm", "next", str(run), "o cão ___", "-k", "30"]) == 0
    out = capsys.readouterr().out
    assert "(not in the vocabulary, read as <unk>: cão)" in out
    vocab = len(json.loads((run / "tokenizer.json").read_text(encoding="utf-8"))["vocab"])
    assert f"(<unk>, any word outside the {vocab}-word vocabulary: " in out
    assert not any(line.startswith("<unk>") for line in out.splitlines())


def test_resume_ends_like_a_train_and_keeps_its_vocabulary(lm_run, tmp_path, capsys, caplog):
    _, run = lm_run
    copy = tmp_path / "run"
    shutil.copytree(run, copy)
    with caplog.at_level(logging.INFO, logger="rnnlab"):
        assert main(["lm", "train", "--resume", str(copy), "--quiet", "--epochs", "2"]) == 0
    out = capsys.readouterr().out
    assert "first training loss" not in caplog.text  # a trained model is not near log V
    rows = [line.split()[0] for line in out.splitlines() if line.split()[:1]]
    assert "model" in rows and "unigram" in rows  # the baseline beside the model, at the end
    (copy / "tokenizer.json").unlink()
    assert main(["lm", "train", "--resume", str(copy), "--quiet", "--epochs", "3"]) == 2
    assert "has checkpoints but no tokenizer.json" in capsys.readouterr().err


def test_forecast_train_keeps_shipped_data_names(monkeypatch, tmp_path):
    from rnnlab.cli import forecast

    seen = {}
    monkeypatch.setattr(forecast, "run_training", lambda args, kind, flags: seen.update(flags) or 0)
    assert main(["forecast", "train", "--data", "shipped:inmet-a001-2024", "--data", "x.csv",
                 "--target", "temp"]) == 0
    assert seen["data", "path"] == ["shipped:inmet-a001-2024", str(Path("x.csv").resolve())]
