"""``rnnlab classify`` and ``rnnlab tag``: train, evaluate, predict from arguments/file/stdin,
and errors in words (exit 2, no traceback)."""

from __future__ import annotations

import io

from rnnlab.cli.main import main


def test_classify_train_evaluate_predict(tmp_path, capsys, monkeypatch):
    run = tmp_path / "names"
    code = main(["classify", "train", "--run-dir", str(run), "--hidden-size", "8", "--epochs",
                 "1", "--quiet", "--set", "model.embedding_size=8", "--set",
                 "train.max_steps=20"])
    assert code == 0
    out = capsys.readouterr().out
    assert "test: accuracy" in out and "majority class" in out
    assert main(["classify", "evaluate", str(run), "--split", "valid"]) == 0
    assert "macro-F1" in capsys.readouterr().out
    assert main(["classify", "predict", str(run), "Nakamura", "-k", "2"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("Nakamura\t") and len(line.split("  ")) == 2
    names = tmp_path / "names.txt"
    names.write_text("Schmidt\nRossi\n", encoding="utf-8")
    assert main(["classify", "predict", str(run), "--file", str(names)]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("Ivanov\n\n"))
    assert main(["classify", "predict", str(run)]) == 0
    assert capsys.readouterr().out.startswith("Ivanov\t")
    assert main(["classify", "predict", str(run), ""]) == 2
    assert "text 1 is empty" in capsys.readouterr().err


def test_tag_errors_name_the_file_and_line(tmp_path, capsys):
    bad = tmp_path / "bad.conll"
    bad.write_text("O O\nSTF B-ORG\nde O extra\n", encoding="utf-8")
    code = main(["tag", "train", "--data", str(bad), "--run-dir", str(tmp_path / "r"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "bad.conll:3: expected 2 whitespace-separated columns" in err
    assert "Traceback" not in err and not (tmp_path / "r").exists()
    assert main(["tag", "train", "--run-dir", str(tmp_path / "r2"), "--quiet"]) == 2
    assert "[data] path" in capsys.readouterr().err


def test_demo_section_quick(tmp_path, capsys):
    assert main(["demo", "--quick", "--run-dir", str(tmp_path), "--only", "classify"]) == 0
    out = capsys.readouterr().out
    assert "4855 distinct names" in out and "198 names listed under two languages" in out
    assert "majority class" in out and (tmp_path / "classify" / "plots" /
                                        "confusion_test.png").is_file()
