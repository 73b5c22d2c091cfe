"""Labelled text and tagged sentences: readers, file:line errors, de-duplication, splits."""

from __future__ import annotations

import pytest

from rnnlab.data.text.conll import read_conll_tagged
from rnnlab.data.text.conllu import read_conllu_sentences, read_conllu_tagged
from rnnlab.data.text.distinct import deduplicate, remove_overlap, split_distinct
from rnnlab.data.text.labelled import given_splits, read_class_folder, read_labelled
from rnnlab.data.text.sst import parse_tree, read_sst


def test_csv_tsv_and_their_errors(tmp_path):
    csv = tmp_path / "d.csv"
    csv.write_text('text,label\n"hello, world",pos\n"two\nlines",neg\n,neg\nok,\n', "utf-8")
    items = read_labelled(csv)
    assert items.texts == ["hello, world", "two\nlines"] and items.labels == ["pos", "neg"]
    assert items.empty == 2 and items.origins[0].endswith("d.csv:row 2")
    tsv = tmp_path / "d.tsv"
    tsv.write_text("Text\tClass\nbom dia\tpos\n", "utf-8")
    assert read_labelled(tsv, text_column="Text", label_column="Class").labels == ["pos"]
    with pytest.raises(ValueError, match=r"no column\(s\) \['label'\]"):
        read_labelled(tsv, text_column="Text")


def test_class_folders(tmp_path):
    for name, lines in {"Greek": "Pappas\nAlexiou\n\n", "Irish": "Kelly\n"}.items():
        (tmp_path / f"{name}.txt").write_text(lines, "utf-8")
    (tmp_path / "LICENSE.txt").write_text("not a class", "utf-8")
    items = read_class_folder(tmp_path)
    assert items.classes == ["Greek", "Irish"] and items.texts == ["Pappas", "Alexiou", "Kelly"]
    assert items.origins[1].endswith("Greek.txt:2") and items.empty == 1
    docs = tmp_path / "docs"
    for label in ("spam", "ham"):
        (docs / label).mkdir(parents=True)
        (docs / label / "a.txt").write_text(f"a {label}\nmail", "utf-8")
    assert sorted(read_labelled(docs).texts) == ["a ham mail", "a spam mail"]
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "X.txt").write_text("a\n", "utf-8")
    with pytest.raises(ValueError, match="at least 2 classes"):
        read_class_folder(tmp_path / "one")


def test_sst_trees(tmp_path):
    nodes = parse_tree("(3 (2 It) (4 (2 is) (4 great)))")
    assert nodes[0] == (3, ["It", "is", "great"]) and (4, ["is", "great"]) in nodes
    path = tmp_path / "train.txt"
    path.write_text("(3 (2 It) (4 (2 is) (4 great)))\n(2 (2 Meh) (2 .))\n(0 (1 Bad) (2 .))\n")
    texts, labels, _ = read_sst(path)
    assert texts[0] == "It is great" and labels == ["positive", "neutral", "very negative"]
    texts, labels, _ = read_sst(path, classes=2)  # neutral dropped
    assert labels == ["positive", "negative"]
    texts, _, _ = read_sst(path, phrases=True)
    assert len(texts) == 11 and "is great" in texts
    path.write_text("(3 (2 It) (4 is\n")
    with pytest.raises(ValueError, match=r"train.txt:1: unbalanced"):
        read_sst(path)
    (tmp_path / "dev.txt").write_text("(1 (1 x))\n")
    assert set(given_splits(tmp_path)) == {"train", "valid"}


def test_conll_columns_are_checked_with_file_and_line(tmp_path):
    path = tmp_path / "x.conll"
    path.write_text("-DOCSTART- O\n\nO B-PER\nSTF I-PER\n\njulgou O\n", "utf-8")
    assert read_conll_tagged(path) == [(["O", "STF"], ["B-PER", "I-PER"]), (["julgou"], ["O"])]
    path.write_text("a X O\nb Y O\nc O\n", "utf-8")
    with pytest.raises(ValueError, match=r"x.conll:3: expected 3 whitespace-separated columns"):
        read_conll_tagged(path)
    path.write_text("a X O\nb Y O\n", "utf-8")
    assert read_conll_tagged(path, tag_column=1) == [(["a", "b"], ["X", "Y"])]
    with pytest.raises(ValueError, match="tag column 5 does not exist"):
        read_conll_tagged(path, tag_column=5)


def test_conllu_tags_belong_to_syntactic_words(tmp_path):
    rows = ["# text = das casas", "1-2\tdas\t_\t_\t_\t_\t_\t_\t_\t_",
            "1\tde\tde\tADP\t_\t_\t3\tcase\t_\t_", "2\tas\to\tDET\t_\t_\t3\tdet\t_\t_",
            "3\tcasas\tcasa\tNOUN\t_\t_\t0\troot\t_\t_", ""]
    path = tmp_path / "t.conllu"
    path.write_text("\n".join(rows), "utf-8")
    assert read_conllu_tagged(path) == [(["de", "as", "casas"], ["ADP", "DET", "NOUN"])]
    assert read_conllu_sentences(path) == [["das", "casas"]]
    path.write_text("1\tde\tde\tADP\n", "utf-8")
    with pytest.raises(ValueError, match=r"t.conllu:1: expected 10 tab-separated"):
        read_conllu_tagged(path)


def test_deduplicate_counts_and_resolves_conflicts():
    keys = ["a", "b", "a", "c", "c", "c", "d", "d"]
    labels = [1, 2, 1, 3, 4, 4, 5, 6]
    kept, resolved, report = deduplicate(keys, labels)
    assert kept == [0, 1, 3, 6] and resolved == [1, 2, 4, 5]  # majority; tie -> sorts first
    assert (report.rows, report.distinct, report.duplicate_rows, report.conflicts) == (8, 4, 4, 2)
    kept, resolved, report = deduplicate(keys, labels, "drop")
    assert kept == [0, 1] and report.dropped == 2 and "2 dropped" in report.describe()


def test_split_distinct_is_stratified_and_disjoint():
    labels = ["x"] * 80 + ["y"] * 17 + ["z"] * 3
    parts = split_distinct(labels, 0.1, 0.1, seed=3)
    every = parts["train"] + parts["valid"] + parts["test"]
    assert sorted(every) == list(range(100))  # each item in exactly one split
    assert {labels[i] for i in parts["test"]} == {"x", "y", "z"}  # a 3-item class reaches test
    assert split_distinct(labels, 0.1, 0.1, seed=3) == parts  # deterministic
    kept = remove_overlap({"train": ["a", "b", "c"], "valid": ["c", "d"], "test": ["d", "e"]})
    assert kept == {"train": [0, 1], "valid": [0], "test": [0, 1]}


@pytest.mark.shared_data
def test_the_issue_counts_on_the_real_data(shared_data):
    names = read_class_folder(shared_data / "pytorch-tutorial-names" / "names")
    _, _, report = deduplicate(names.texts, names.labels)
    assert (report.rows, report.distinct, report.conflicts) == (20075, 17454, 469)
    tweets = read_labelled(shared_data / "tweets-mg-pt" / "Tweets_Mg.csv", text_column="Text",
                           label_column="Classificacao")
    _, resolved, report = deduplicate(tweets.texts, tweets.labels)
    # the issue counts 951 negatives: one tied conflict there went the other way (here a tie
    # goes to the label that sorts first, "Negativo")
    assert (report.rows, report.distinct, report.conflicts) == (8199, 5765, 10)
    assert resolved.count("Negativo") == 952
