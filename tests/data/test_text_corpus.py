"""Corpora from files and folders: PTB / WikiText / UD layouts, hold-outs and errors."""

from __future__ import annotations

import gzip

import pytest

from rnnlab.data.text import load_corpus
from rnnlab.data.text.corpus import split_name


def _write(path, text):
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode("utf-8")))
    else:
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ptb.train.txt", ("ptb", "train")),
        ("ptb.char.valid.txt.gz", ("ptb.char", "valid")),
        ("train.txt.gz", ("", "train")),
        ("wiki.test.tokens", ("wiki", "test")),
        ("pt_bosque-ud-dev.conllu", ("pt_bosque-ud", "valid")),
        ("README.txt", None),
        ("train.csv", None),
    ],
)
def test_split_names(name, expected):
    assert split_name(name) == expected


def test_ptb_layout_with_gzip_train(tmp_path):
    _write(tmp_path / "ptb.train.txt.gz", " a b c\n d e\n")
    _write(tmp_path / "ptb.valid.txt", " a b\n")
    _write(tmp_path / "ptb.test.txt", " c\n")
    corpus = load_corpus(tmp_path)
    assert corpus.train == [" a b c", " d e"]
    assert corpus.valid == [" a b"] and corpus.test == [" c"]
    assert corpus.sources["train"].endswith("ptb.train.txt.gz")


def test_two_corpora_in_one_folder_need_a_prefix(tmp_path):
    for prefix in ("ptb", "ptb.char"):
        _write(tmp_path / f"{prefix}.train.txt", f"{prefix} x\n")
    with pytest.raises(ValueError, match="several corpora"):
        load_corpus(tmp_path)
    assert load_corpus(tmp_path / "ptb.char").train == ["ptb.char x"]
    assert load_corpus(tmp_path / "ptb").train == ["ptb x"]


def test_valid_without_train_is_an_error(tmp_path):
    _write(tmp_path / "valid.txt", "a\n")
    _write(tmp_path / "test.txt", "a\n")
    with pytest.raises(ValueError, match="no training file"):
        load_corpus(tmp_path)


def test_folder_without_split_files(tmp_path):
    _write(tmp_path / "notes.md", "x")
    with pytest.raises(ValueError, match="no train/valid/test files"):
        load_corpus(tmp_path)
    with pytest.raises(FileNotFoundError, match="corpus not found"):
        load_corpus(tmp_path / "missing" / "x")
    # an existing folder but no such file, folder or prefix: not found, not "no split files"
    with pytest.raises(FileNotFoundError, match=r"corpus not found: .*nope is not a file"):
        load_corpus(tmp_path / "nope")


def test_conllu_folder_is_sentences(tmp_path):
    row = "1\tOlá\t_\t_\t_\t_\t0\troot\t_\t_\n2\tmundo\t_\t_\t_\t_\t1\tobj\t_\t_\n\n"
    _write(tmp_path / "x-ud-train.conllu.gz", row * 2)
    _write(tmp_path / "x-ud-dev.conllu", row)
    corpus = load_corpus(tmp_path)
    assert corpus.train == ["Olá mundo", "Olá mundo"] and corpus.valid == ["Olá mundo"]
    assert corpus.test == []
    with pytest.raises(ValueError, match="no 'test' text"):
        corpus.split("test")


def test_single_file_hold_out_keeps_order(tmp_path):
    _write(tmp_path / "book.txt", "".join(f"line {i}\n" for i in range(10)))
    corpus = load_corpus(tmp_path / "book.txt", valid_fraction=0.2, test_fraction=0.1)
    assert corpus.train == [f"line {i}" for i in range(7)]
    assert corpus.valid == ["line 7", "line 8"] and corpus.test == ["line 9"]
    with pytest.raises(ValueError, match="too few"):
        load_corpus(tmp_path / "book.txt", valid_fraction=0.01)


def test_keep_empty_lines(tmp_path):
    _write(tmp_path / "train.txt", "a\n\nb\n")
    assert load_corpus(tmp_path).train == ["a", "b"]
    assert load_corpus(tmp_path, keep_empty=True).train == ["a", "", "b"]


def test_shared_ptb_and_wikitext_layouts(shared_data):
    ptb = load_corpus(shared_data / "ptb" / "ptb")
    assert len(ptb.train) == 42068 and len(ptb.valid) == 3370 and len(ptb.test) == 3761
    chars = load_corpus(shared_data / "ptb" / "ptb.char")
    assert chars.valid[0].split()[:3] == ["c", "o", "n"]
    wiki = load_corpus(shared_data / "wikitext-2")
    assert wiki.valid and wiki.test


def test_shipped_portuguese_corpus():
    corpus = load_corpus("shipped:pt-bosque")
    assert (len(corpus.train), len(corpus.valid), len(corpus.test)) == (7018, 1172, 1167)
    assert corpus.train[2] == "Tem sentido -- aliás , muitíssimo sentido ."
    with pytest.raises(FileNotFoundError, match="pt-bosque"):
        load_corpus("shipped:klingon")
