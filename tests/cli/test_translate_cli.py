"""``rnnlab translate …`` and ``rnnlab condgen …`` end to end on tiny data in tmp_path."""

from __future__ import annotations

import io
import random

import pytest

from rnnlab.cli.main import main

WORDS = ["sun", "moon", "star", "tree", "rock", "fish"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("translate-cli")
    rng = random.Random(1)
    lines = []
    for _ in range(120):
        words = rng.choices(WORDS, k=rng.randint(2, 4))
        lines.append(" ".join(words) + "\t" + " ".join(w.upper() for w in words))
    data = root / "pairs.tsv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = main(["translate", "train", "--data", str(data), "--run-dir", str(root / "run"),
                 "--attention", "bahdanau", "--hidden-size", "16", "--epochs", "3", "--quiet",
                 "--set", "data.min_freq=1", "--set", "data.lowercase=false",
                 "--set", "decode.heatmaps=0", "--set", "decode.beam=2"])
    assert code == 0
    return root


def test_translate_from_arguments_stdin_and_file(run, capsys, monkeypatch):
    assert main(["translate", "translate", str(run / "run"), "sun moon", "fish"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("sun moon\n\nfish\n"))
    assert main(["translate", "translate", str(run / "run")]) == 0
    assert capsys.readouterr().out.splitlines() == out
    (run / "in.txt").write_text("sun moon\nfish\n", encoding="utf-8")
    assert main(["translate", "translate", str(run / "run"), "--file", str(run / "in.txt"),
                 "--beam", "2", "--n-best", "2", "--show-attention",
                 str(run / "pics" / "a.png")]) == 0
    captured = capsys.readouterr()
    ranked = captured.out.splitlines()
    assert len(ranked) == 4 and ranked[0].startswith("1\t") and ranked[1].startswith("2\t")
    assert (run / "pics" / "a.png").is_file() and (run / "pics" / "a-2.png").is_file()
    assert "attention heatmap" in captured.err


def test_evaluate_prints_scores_and_signature(run, capsys):
    assert main(["translate", "evaluate", str(run / "run"), "--beam", "2"]) == 0
    out = capsys.readouterr().out
    assert "beam 2" in out and "copy source" in out and "nrefs:" in out


def test_user_errors_exit_2(run, tmp_path, capsys):
    bad = tmp_path / "bad.tsv"
    bad.write_text("a\tb\nno tab here\n", encoding="utf-8")
    code = main(["translate", "train", "--data", str(bad), "--run-dir", str(tmp_path / "r"),
                 "--quiet"])
    assert code == 2 and "bad.tsv, line 2" in capsys.readouterr().err
    assert main(["translate", "translate", str(run / "run"), "x", "--beam", "1",
                 "--n-best", "2"]) == 2
    assert main(["translate", "train", "--run-dir", str(tmp_path / "r2")]) == 2
    assert "[data] path" in capsys.readouterr().err


def test_condgen_train_and_generate(tmp_path, capsys):
    folder = tmp_path / "names"
    folder.mkdir()
    (folder / "Ab.txt").write_text("\n".join(f"Ab{c}" for c in "bcdfghjklm") + "\n")
    (folder / "Xy.txt").write_text("\n".join(f"Xy{c}" for c in "bcdfghjklm") + "\n")
    assert main(["condgen", "train", "--data", str(folder), "--run-dir", str(tmp_path / "run"),
                 "--mode", "first", "--hidden-size", "16", "--epochs", "2", "--quiet",
                 "--set", "sample.per_condition=1"]) == 0
    capsys.readouterr()
    assert main(["condgen", "generate", str(tmp_path / "run"), "--condition", "Xy", "-n", "3",
                 "--seed", "1"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3
    assert main(["condgen", "evaluate", str(tmp_path / "run")]) == 0
    assert "bits per character" in capsys.readouterr().out
