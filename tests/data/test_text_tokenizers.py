"""Tokenizers: vocabularies, <unk>/<eos>, Unicode, JSON round trips, optional BPE."""

from __future__ import annotations

import json

import pytest

from rnnlab.data.text import CharTokenizer, WordTokenizer, build_tokenizer, load_tokenizer

LINES = ["Fui ao posto de gasolina abastecer o carro", "O caminhão não abasteceu o carro"]


def test_word_vocabulary_order_and_specials():
    tok = WordTokenizer.build(LINES)
    assert tok.vocab[:2] == ["<unk>", "<eos>"]
    assert tok.vocab[2:4] == ["carro", "o"]  # count 2 each, then alphabetical
    assert len(tok) == 2 + 12


def test_word_encode_unknown_and_eos():
    tok = WordTokenizer.build(LINES)
    ids = tok.encode("o carro voador", add_eos=True)
    assert tok.tokens(ids) == ["o", "carro", "<unk>", "<eos>"]
    assert tok.encode_lines(["o", "carro"]) == [tok.index["o"], 1, tok.index["carro"], 1]
    assert tok.decode(tok.encode_lines(["o carro", "não"])) == "o carro\nnão\n"


def test_min_freq_max_size_and_lowercase():
    tok = WordTokenizer.build(LINES, min_freq=2)
    assert tok.vocab == ["<unk>", "<eos>", "carro", "o"]
    assert WordTokenizer.build(LINES, max_size=3).vocab == ["<unk>", "<eos>", "carro"]
    low = WordTokenizer.build(LINES, lowercase=True)
    assert low.tokens(low.encode("O")) == ["o"] and "O" not in low.index
    with pytest.raises(ValueError, match="min_freq"):
        WordTokenizer.build(LINES, min_freq=0)


def test_ptb_unk_in_text_maps_to_unk_id():
    tok = WordTokenizer.build(["the <unk> said", "<eos> ok"])
    assert tok.encode("<unk>") == [0] and tok.encode("<eos>") == [1]
    assert len(tok) == 5  # specials are never counted twice


def test_regex_split_keeps_portuguese_words_and_splits_punctuation():
    tok = WordTokenizer.build(["Não, a ação é guarda-chuva d'água."], split="regex")
    assert tok.split("Não, a ação é guarda-chuva d'água.") == [
        "Não",
        ",",
        "a",
        "ação",
        "é",
        "guarda-chuva",
        "d'água",
        ".",
    ]
    assert tok.split("x <unk> y") == ["x", "<unk>", "y"]


def test_char_tokenizer_accents_are_single_tokens():
    tok = CharTokenizer.build(["ação não"])
    ids = tok.encode("ã", add_eos=True)
    assert tok.tokens(ids) == ["ã", "<eos>"]
    assert tok.decode(tok.encode_lines(["ação", "não"])) == "ação\nnão\n"
    assert tok.encode("z") == [tok.unk_id]


@pytest.mark.parametrize("level", ["word", "char"])
def test_json_round_trip_keeps_accents_unescaped(tmp_path, level):
    tok = build_tokenizer(level, LINES, lowercase=True)
    path = tmp_path / "tokenizer.json"
    tok.save(path)
    assert "caminhão" in path.read_text(encoding="utf-8") or level == "char"
    assert "ã" in path.read_text(encoding="utf-8")
    again = load_tokenizer(path)
    assert type(again) is type(tok) and again.vocab == tok.vocab
    assert again.encode(LINES[1]) == tok.encode(LINES[1])


def test_load_tokenizer_errors(tmp_path):
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="not a tokenizer JSON"):
        load_tokenizer(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text(json.dumps({"vocab": []}), encoding="utf-8")
    with pytest.raises(ValueError, match="expected an rnnlab tokenizer"):
        load_tokenizer(tmp_path / "other.json")
    with pytest.raises(ValueError, match="starting with"):
        WordTokenizer(["a", "b"])
    with pytest.raises(ValueError, match="level"):
        build_tokenizer("morpheme", LINES)
    with pytest.raises(ValueError, match="empty text"):
        WordTokenizer.build(["", "  "])


def test_bpe_round_trip(tmp_path):
    pytest.importorskip("tokenizers")
    lines = LINES * 20 + ["ação e não, caminhões e aviões"] * 5
    tok = build_tokenizer("bpe", lines, max_size=300, min_freq=2)
    assert tok.vocab[:2] == ["<unk>", "<eos>"] and len(tok) <= 300
    ids = tok.encode("O caminhão não abasteceu", add_eos=True)
    assert ids[-1] == tok.eos_id and tok.unk_id not in ids
    assert tok.decode(ids) == "O caminhão não abasteceu\n"
    assert tok.decode(tok.encode("ñandú 北京")) == "ñandú 北京"  # bytes: nothing is unknown
    tok.save(tmp_path / "bpe.json")
    again = load_tokenizer(tmp_path / "bpe.json")
    assert again.encode("caminhões") == tok.encode("caminhões")
