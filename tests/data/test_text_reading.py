"""Reading text and CoNLL-U files: UTF-8, gzip, and the errors for bad files."""

from __future__ import annotations

import gzip
import unicodedata

import pytest

from rnnlab.data.text import read_conllu_sentences, read_lines, read_text


def test_utf8_plain_and_gzip_read_the_same(tmp_path):
    text = "Fui ao posto de gasolina.\nO caminhão não parou.\n"
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    (tmp_path / "a.txt.gz").write_bytes(gzip.compress(text.encode("utf-8")))
    assert read_text(tmp_path / "a.txt") == text
    assert read_text(tmp_path / "a.txt.gz") == text
    assert read_lines(tmp_path / "a.txt") == ["Fui ao posto de gasolina.", "O caminhão não parou."]


def test_nfc_normalisation_merges_combining_accents(tmp_path):
    decomposed = unicodedata.normalize("NFD", "ação")
    assert len(decomposed) == 6
    (tmp_path / "a.txt").write_text(decomposed + "\n", encoding="utf-8")
    assert read_text(tmp_path / "a.txt") == "ação\n"


def test_bom_is_dropped(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"\xef\xbb\xbfol\xc3\xa1\n")
    assert read_text(tmp_path / "a.txt") == "olá\n"


def test_latin1_file_names_file_and_byte_offset(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("abc ação".encode("latin-1"))
    expected = r"latin\.txt is not UTF-8: invalid byte 0xe7 at byte offset 5"
    with pytest.raises(ValueError, match=expected):
        read_text(path)


@pytest.mark.parametrize("content", [b"", b"  \n\n\t\n"])
def test_empty_file_is_an_error(tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="empty.txt is empty"):
        read_text(path)


def test_corrupt_gzip_and_missing_file(tmp_path):
    (tmp_path / "bad.txt.gz").write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match="not a valid gzip"):
        read_text(tmp_path / "bad.txt.gz")
    with pytest.raises(FileNotFoundError, match="nope.txt"):
        read_text(tmp_path / "nope.txt")


CONLLU = """# text = Pequenos são agentes das transformações
# sent_id = 1
1\tPequenos\tpequeno\tNOUN\t_\t_\t3\tnsubj\t_\t_
2\tsão\tser\tAUX\t_\t_\t3\tcop\t_\t_
3\tagentes\tagente\tNOUN\t_\t_\t0\troot\t_\t_
4-5\tdas\t_\t_\t_\t_\t_\t_\t_\t_
4\tde\tde\tADP\t_\t_\t6\tcase\t_\t_
5\tas\to\tDET\t_\t_\t6\tdet\t_\t_
5.1\tvazio\t_\t_\t_\t_\t_\t_\t_\t_
6\ttransformações\ttransformação\tNOUN\t_\t_\t3\tnmod\t_\t_

# sent_id = 2
1\tSim\tsim\tINTJ\t_\t_\t0\troot\t_\t_
"""


def test_conllu_surface_and_syntactic_words(tmp_path):
    path = tmp_path / "x-ud-train.conllu"
    path.write_text(CONLLU, encoding="utf-8")
    assert read_conllu_sentences(path) == [
        ["Pequenos", "são", "agentes", "das", "transformações"],
        ["Sim"],
    ]
    assert read_conllu_sentences(path, units="syntactic")[0] == [
        "Pequenos",
        "são",
        "agentes",
        "de",
        "as",
        "transformações",
    ]


def test_conllu_bad_line_says_where(tmp_path):
    path = tmp_path / "bad.conllu"
    path.write_text("1\tSim\tsim\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.conllu:1: expected 10 tab-separated"):
        read_conllu_sentences(path)


def test_bosque_dev_reads(shared_data):
    sentences = read_conllu_sentences(shared_data / "ud-portuguese-bosque/pt_bosque-ud-dev.conllu")
    assert len(sentences) == 1172  # the split size stated in SOURCE.md
    assert sentences[0] == ["Pequenos", "são", "agentes", "das", "transformações"]
