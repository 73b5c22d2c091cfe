"""``rnnlab lm …`` end to end on a tiny Portuguese corpus written in tmp_path."""

from __future__ import annotations

import json
import random

import pytest

from rnnlab.cli.main import main


@pytest.fixture(scope="module")
def trained(tmp_path_factory, pt_sentence):
    """A one-layer LSTM trained for a few seconds on singular/plural sentences."""
    root = tmp_path_factory.mktemp("lm")
    rng = random.Random(0)
    corpus = root / "corpus"
    corpus.mkdir()
    for split, n in (("train", 400), ("valid", 40), ("test", 40)):
        text = "".join(pt_sentence(rng) + "\n" for _ in range(n))
        (corpus / f"{split}.txt").write_text(text, encoding="utf-8")
    (root / "agr.text").write_text("os carros andam . <eos>\no gato é . <eos>\n", encoding="utf-8")
    (root / "agr.gold").write_text("2\tandam\tanda\t0\n2\té\tsão\t0\n", encoding="utf-8")
    run = root / "run"
    code = main(
        [
            "lm",
            "train",
            "--run-dir",
            str(run),
            "--corpus",
            str(corpus),
            "--quiet",
            "--set",
            "model.embedding_size=24",
            "--set",
            "model.hidden_size=24",
            "--set",
            "model.num_layers=1",
            "--set",
            "data.batch_size=4",
            "--set",
            "data.bptt=10",
            "--set",
            "data.eval_batch_size=2",
            "--set",
            "train.epochs=3",
            "--set",
            "train.lr=0.02",
            "--set",
            'train.optimizer="adam"',
        ]
    )
    assert code == 0
    return root, run


def test_run_directory_has_config_tokenizer_checkpoints(trained):
    _, run = trained
    assert (run / "config.toml").is_file() and (run / "checkpoints" / "best").is_dir()
    vocab = json.loads((run / "tokenizer.json").read_text(encoding="utf-8"))["vocab"]
    assert "caminhões" in vocab  # accents kept as they are
    text = (run / "config.toml").read_text(encoding="utf-8")
    assert 'kind = "lm"' in text and "carry_state = true" in text


def test_evaluate_beats_the_unigram(trained, capsys):
    _, run = trained
    assert main(["lm", "evaluate", str(run), "--split", "test"]) == 0
    out = capsys.readouterr().out
    rows = {
        line.split()[0]: float(line.split()[2])
        for line in out.splitlines()
        if line.startswith(("model", "unigram"))
    }
    assert rows["model"] < 0.7 * rows["unigram"]


def test_next_word_knows_agreement(trained, capsys):
    _, run = trained
    assert main(["lm", "next", str(run), "os carros ___", "-k", "3"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "os carros ___"
    top = [line.split()[0] for line in lines[3:6]]
    assert set(top) <= {"andam", "param", "são"}  # only plural verbs
    assert main(["lm", "next", str(run), "--sentence", "os gatos são ."]) == 0
    out = capsys.readouterr().out
    assert "log p(sentence) =" in out and "<eos>" in out


def test_generate_is_reproducible_and_beam_works(trained, capsys):
    _, run = trained
    args = ["lm", "generate", str(run), "--prompt", "os", "--seed", "3", "--max-tokens", "12"]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert main(args) == 0
    assert capsys.readouterr().out == first and first.startswith("os ")
    assert main(["lm", "generate", str(run), "os", "--seed", "3", "--max-tokens", "12"]) == 0
    assert capsys.readouterr().out == first  # the prompt may also be positional, as in `lm next`
    assert (
        main(["lm", "generate", str(run), "--prompt", "o gato", "--beam", "2", "--max-tokens", "3"])
        == 0
    )
    beams = capsys.readouterr().out.strip().splitlines()
    assert len(beams) == 2 and "o gato" in beams[0]


def test_agreement_on_a_file_in_the_linzen_format(trained, capsys):
    root, run = trained
    assert main(["lm", "agreement", str(run), "--data", str(root / "agr")]) == 0
    out = capsys.readouterr().out
    assert "2 sentences scored, 0 skipped" in out
    assert out.strip().splitlines()[-1].split() == ["all", "2", "1.000"]


def test_resume_continues_and_errors_are_clear(trained, capsys, tmp_path):
    _, run = trained
    assert (
        main(
            ["lm", "train", "--resume", str(run), "--quiet", "--set", "train.epochs=4"]
        )
        == 0
    )
    assert main(["lm", "evaluate", str(tmp_path / "nope")]) == 2
    assert "run directory not found" in capsys.readouterr().err
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    assert main(["lm", "train", "--run-dir", str(tmp_path / "r"), "--corpus", str(empty)]) == 2
    assert "empty.txt is empty" in capsys.readouterr().err


def test_generic_train_command_knows_the_lm_kind(tmp_path):
    (tmp_path / "train.txt").write_text("a b c\n" * 50, encoding="utf-8")
    config = tmp_path / "lm.toml"
    config.write_text(
        f'[task]\nkind = "lm"\n[data]\npath = "{tmp_path.as_posix()}"\nbatch_size = 2\nbptt = 5\n'
        "[model]\nembedding_size = 8\nhidden_size = 8\nnum_layers = 1\n"
        "[train]\nepochs = 1\ncarry_state = true\n",
        encoding="utf-8",
    )
    run = tmp_path / "run"
    assert main(["train", str(config), "--run-dir", str(run), "--quiet"]) == 0
    assert (run / "tokenizer.json").is_file()
    assert main(["lm", "next", str(run), "a b", "-k", "1"]) == 0  # no valid split: last weights


def test_demo_section_quick(tmp_path, capsys):
    assert main(["demo", "--quick", "--run-dir", str(tmp_path), "--only", "language-model"]) == 0
    out = capsys.readouterr().out
    assert "valid perplexity" in out and "Fui ao posto de gasolina abastecer o ___" in out


@pytest.mark.parametrize("level", ["char", "bpe"])
def test_char_and_bpe_levels_train_and_report(tmp_path, capsys, level, pt_sentence):
    if level == "bpe":
        pytest.importorskip("tokenizers")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rng = random.Random(1)
    for split, n in (("train", 60), ("valid", 10)):
        text = "".join(pt_sentence(rng) + "\n" for _ in range(n))
        (corpus / f"{split}.txt").write_text(text, encoding="utf-8")
    run = tmp_path / "run"
    args = [
        "lm",
        "train",
        "--run-dir",
        str(run),
        "--corpus",
        str(corpus),
        "--level",
        level,
        "--quiet",
        "--set",
        "model.embedding_size=8",
        "--set",
        "model.hidden_size=8",
        "--set",
        "model.num_layers=1",
        "--set",
        "data.batch_size=2",
        "--set",
        "data.bptt=8",
        "--set",
        "train.epochs=1",
        "--set",
        "data.max_vocab=300",
    ]
    assert main(args) == 0
    assert main(["lm", "evaluate", str(run), "--split", "valid"]) == 0
    assert "bits/token" in capsys.readouterr().out
    assert (
        main(["lm", "generate", str(run), "--prompt", "os", "--seed", "0", "--max-tokens", "5"])
        == 0
    )
    assert capsys.readouterr().out.startswith("os")


def test_agreement_on_the_shared_linzen_subset(trained, capsys, shared_data):
    _, run = trained
    data = shared_data / "linzen-agreement-subset"
    assert main(["lm", "agreement", str(run), "--data", str(data), "--limit", "50"]) == 0
    out = capsys.readouterr().out
    assert "linzen-agreement-subset" in out
    assert "0 sentences scored, 50 skipped" in out  # a Portuguese toy vocabulary: no verb known


def test_agreement_needs_data_and_reads_nothing_from_the_source_tree(trained, capsys):
    _, run = trained
    with pytest.raises(SystemExit) as exit_info:
        main(["lm", "agreement", str(run)])
    assert exit_info.value.code == 2 and "--data" in capsys.readouterr().err
