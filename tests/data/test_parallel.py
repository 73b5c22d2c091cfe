"""Parallel text: reading, the tutorial's normalisation and filters, the split by distinct
source, detokenisation and length-bucketed batches."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
import torch

from rnnlab.data.text.detokenize import detokenize
from rnnlab.data.text.distinct import split_by_key
from rnnlab.data.text.parallel import (
    Pair,
    load_parallel,
    prepare_pairs,
    read_pairs,
    references,
    tutorial_normalize,
)
from rnnlab.data.text.sequence_batches import (
    IGNORE_INDEX,
    length_batches,
    pad_sequences,
    teacher_forcing_pair,
)


def test_tutorial_normalize_matches_the_tutorial():
    assert tutorial_normalize("Je suis désolé.") == "je suis desole"
    assert tutorial_normalize("I'm OK!") == "i m ok !"
    assert tutorial_normalize("  Where's Tom?  ") == "where s tom ?"
    assert tutorial_normalize("Ça va, l'été ?") == "ca va l ete ?"


def test_read_pairs_names_the_file_and_line(tmp_path):
    path = tmp_path / "pairs.tsv"
    path.write_text("Go.\tVa !\tCC-BY 2.0 attribution\n\nHi.\tSalut !\nbroken line\n",
                    encoding="utf-8")
    with pytest.raises(ValueError, match=r"pairs.tsv, line 4: expected source<TAB>target"):
        read_pairs(path)
    path.write_text("Go.\tVa !\tattribution\n\nHi.\tSalut !\n", encoding="utf-8")
    assert read_pairs(path) == [("Go.", "Va !", 1), ("Hi.", "Salut !", 3)]  # extra column ignored


def test_prepare_pairs_filters_and_direction():
    rows = [("I am cold.", "J'ai froid.", 1), ("He's tall.", "Il est grand.", 2),
            ("Go now.", "Vas-y maintenant.", 3),
            ("I am going to the market to buy some bread today.", "Je vais au marché.", 4)]
    kept, removed = prepare_pairs(rows, normalize="tutorial", filter="tutorial-prefixes",
                                  max_words=9, reverse=True)
    assert [(p.source, p.target) for p in kept] == [("j ai froid", "i am cold"),
                                                    ("il est grand", "he s tall")]
    assert removed == {"removed by the prefix filter": 1, "removed by max_words": 1}
    kept, _ = prepare_pairs(rows, normalize="nfc")
    assert kept[0] == Pair("I am cold.", "J'ai froid.", 1) and len(kept) == 4


def test_split_by_key_keeps_every_key_in_one_split_and_counts_duplicates():
    items = [(f"s{i % 40}", f"t{i}") for i in range(120)] + [("s1", "t1")] * 3
    split = split_by_key(items, key=lambda p: p[0], valid=0.1, test=0.2, seed=3)
    assert split.duplicates == 3 and split.read == 123
    keys = {name: {s for s, _ in split.items[name]} for name in split.items}
    assert not keys["train"] & keys["test"] and not keys["valid"] & keys["test"]
    assert not keys["train"] & keys["valid"]
    assert (split.keys["valid"], split.keys["test"], split.keys["train"]) == (4, 8, 28)
    assert sum(len(v) for v in split.items.values()) == 120
    again = split_by_key(items, key=lambda p: p[0], valid=0.1, test=0.2, seed=3)
    assert again.items == split.items  # seeded
    with pytest.raises(ValueError, match="too few"):
        split_by_key(items[:2], key=lambda p: p[0], valid=0.4, test=0.4)


def test_references_group_all_targets_of_a_source():
    pairs = [Pair("a", "x", 1), Pair("b", "y", 2), Pair("a", "z", 3)]
    assert references(pairs) == (["a", "b"], [["x", "z"], ["y"]])


def test_load_parallel_reads_gzip_and_reports(tmp_path):
    lines = [f"I am {w}.\tJe suis {w}.\n" for w in "abcdefghijklmnopqrst"]
    lines += ["You are a.\tTu es a.\n", "You are a.\tVous êtes a.\n", "I am a.\tJe suis a.\n"]
    path = tmp_path / "fra.txt.gz"
    path.write_bytes(gzip.compress("".join(lines).encode()))
    split = load_parallel(path, normalize="tutorial", valid=0.1, test=0.1)
    assert split.duplicates == 1 and split.notes["pairs in the file"] == 23
    assert "exact duplicates removed" in split.describe()
    you = [name for name, items in split.items.items() for p in items if p.source == "you are a"]
    assert len(you) == 2 and len(set(you)) == 1  # both translations of one source together


def test_tutorial_preset_on_tatoeba(shared_data):
    split = load_parallel(shared_data / "tatoeba-eng-fra" / "fra.txt.gz", normalize="tutorial",
                          filter="tutorial-prefixes", max_words=9, reverse=True)
    assert split.notes["pairs in the file"] == 167_130
    assert split.read == 13_571  # the count for the tutorial's filter on this file
    assert split.keys["test"] == split.keys["valid"] == 633  # 5 % of the distinct sources each
    sources = {name: {p.source for p in items} for name, items in split.items.items()}
    assert not sources["train"] & sources["test"]


def test_detokenize_by_language():
    tokens = ["je", "suis", "là", "!", "(", "oui", ")", "."]
    assert detokenize(tokens, "fr") == "je suis là ! (oui)."
    assert detokenize(["are", "you", "ok", "?", "yes", ",", "i", "am", "."], "en") == \
        "are you ok? yes, i am."
    assert detokenize(["«", "bonjour", "»"], "fr") == "« bonjour »"


def test_length_batches_cover_every_example_once_and_are_seeded():
    lengths = np.random.default_rng(0).integers(1, 30, size=503)
    batches = length_batches(lengths, 16, shuffle=True, seed=1, epoch=2, pool=4)
    flat = np.concatenate(batches)
    assert sorted(flat.tolist()) == list(range(503))
    assert all(len(b) <= 16 for b in batches)
    again = length_batches(lengths, 16, shuffle=True, seed=1, epoch=2, pool=4)
    assert all((a == b).all() for a, b in zip(batches, again, strict=True))
    other = length_batches(lengths, 16, shuffle=True, seed=1, epoch=3, pool=4)
    assert any(len(a) != len(b) or (a != b).any() for a, b in zip(batches, other, strict=False))
    spread = np.mean([np.ptp(lengths[b]) for b in batches])
    assert spread < np.ptp(lengths) / 2  # bucketing: similar lengths share a batch
    ordered = length_batches(lengths, 16, shuffle=False)
    assert (np.diff(lengths[np.concatenate(ordered)]) >= 0).all()


def test_padding_and_teacher_forcing_pairs():
    ids, lengths = pad_sequences([[5, 6, 7], [8]], pad=1)
    assert ids.tolist() == [[5, 8], [6, 1], [7, 1]] and lengths.tolist() == [3, 1]
    inputs, outputs = teacher_forcing_pair([[5, 6], [7]], bos=1, eos=1)
    assert inputs.t().tolist() == [[1, 5, 6], [1, 7, 1]]
    assert outputs.t().tolist() == [[5, 6, 1], [7, 1, IGNORE_INDEX]]
    assert outputs.dtype == torch.long
    with pytest.raises(ValueError, match="non-empty"):
        pad_sequences([[1], []], pad=0)
