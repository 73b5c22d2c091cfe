"""The share of a conditional generator's samples that a classifier assigns to the requested
label: real tiny runs (no stubs) on trivially separable names ("Ab…" vs "Xy…"), the leak check,
the refusals, and the CLI end to end."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rnnlab.cli.main import main
from rnnlab.data.text.labelled import load_labelled_folder
from rnnlab.tasks import train
from rnnlab.tasks.classify import load_classifier, predict_texts, read_splits
from rnnlab.tasks.condgen import (
    classifier_agreement,
    generate_items,
    load_generator,
    write_split_folder,
)

CONSONANTS = "bcdfghjklmnp"


def _generator(folder, run_dir, mode):
    train({"task": {"kind": "condgen"},
           "data": {"path": str(folder), "batch_size": 8, "valid_fraction": 0.15,
                    "test_fraction": 0.15},
           "model": {"mode": mode, "hidden_size": 24, "embedding_size": 8, "condition_size": 4,
                     "dropout_input": 0.0},
           "train": {"epochs": 12, "lr": 0.02, "progress": False},
           "sample": {"per_condition": 0, "temperature": 0.5}}, run_dir)
    return load_generator(run_dir)


def _classifier(data, run_dir):
    train({"task": {"kind": "classify"},
           "data": {"path": str(data), "batch_size": 8},
           "model": {"hidden_size": 16, "embedding_size": 8},
           "train": {"epochs": 6, "lr": 0.02, "progress": False}}, run_dir)
    return load_classifier(run_dir)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("agreement")
    folder = root / "names"
    folder.mkdir()
    for label in ("Ab", "Xy"):
        (folder / f"{label}.txt").write_text(
            "\n".join(f"{label}{c}{v}" for c in CONSONANTS for v in "aeo") + "\n")
    every = _generator(folder, root / "every", "every")
    none = _generator(folder, root / "none", "none")
    counts = write_split_folder(every.config["data"], root / "split")
    classifier = _classifier(root / "split", root / "classifier")
    return {"root": root, "folder": folder, "every": every, "none": none, "counts": counts,
            "classifier": classifier}


def test_the_share_counts_what_the_classifier_says(runs):
    every, none, classifier = runs["every"], runs["none"], runs["classifier"]
    report = classifier_agreement(every, classifier, n=20, seed=3, unconditional=none)
    assert report.overlap == 0  # the classifier was trained on the generator's own split
    test = load_labelled_folder(runs["folder"], valid=0.15, test=0.15).items["test"]
    assert runs["counts"]["test"] == len(test)
    assert sum(a.real for a in report.languages) == len(test)
    for lang in report.languages:
        samples = generate_items(every, lang.label, 20,
                                 sample=replace(every.config["sample"], seed=3))
        said = [p.top[0][0] for p in predict_texts(classifier, samples, 1)]
        assert lang.samples == 20 and lang.agreed == said.count(lang.label)
        assert lang.ceiling == 1.0  # the classifier is perfect on these held-out names
    # the condition decides the first letters: nearly every sample is the language asked for
    assert report.share >= 0.9
    # without a condition the samples split between the two; the floors sum to 1
    floors = [a.floor for a in report.languages]
    assert sum(report.unconditional.values()) == 40 and sum(floors) == pytest.approx(1.0)
    assert all(0.15 <= f <= 0.85 for f in floors)
    assert "all" in report.describe() and report.to_dict()["share"] == report.share


def test_the_unconditional_model_alone_shows_where_its_samples_go(runs):
    report = classifier_agreement(runs["none"], runs["classifier"], n=10, seed=0)
    assert sum(a.agreed for a in report.languages) == 20  # all 20 samples, by class
    assert {a.samples for a in report.languages} == {20}
    assert "20 samples (no language asked" in report.describe()


def test_a_classifier_on_its_own_split_is_caught_leaking(runs):
    leaky = _classifier(runs["folder"], runs["root"] / "leaky")  # classify's split, not condgen's
    report = classifier_agreement(runs["every"], leaky, n=2)
    test = {it.text for it in load_labelled_folder(runs["folder"], valid=0.15,
                                                   test=0.15).items["test"]}
    seen = test & set(read_splits(leaky.config["data"]).texts["train"])
    assert report.overlap == len(seen) > 0
    assert sum(a.real for a in report.languages) == len(test) - len(seen)


def test_refusals(runs):
    every, classifier = runs["every"], runs["classifier"]
    with pytest.raises(ValueError, match=r"does not know the generator's labels \['Xy'\]"):
        classifier_agreement(every, replace(classifier, classes=["Ab", "Zz"]), n=1)
    with pytest.raises(ValueError, match="mode = \"none\""):
        classifier_agreement(every, classifier, n=1, unconditional=every)
    with pytest.raises(ValueError, match="n >= 1"):
        classifier_agreement(every, classifier, n=0)


def test_cli_end_to_end(runs, tmp_path, capsys):
    root = runs["root"]
    assert main(["condgen", "split", str(root / "every"), str(tmp_path / "split")]) == 0
    assert "test.tsv" in capsys.readouterr().out
    assert (tmp_path / "split" / "test.tsv").read_text() == (root / "split" /
                                                             "test.tsv").read_text()
    assert main(["condgen", "evaluate", str(root / "every"), "--classifier",
                 str(root / "classifier"), "--unconditional", str(root / "none"), "-n", "5",
                 "--temperature", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "5 samples per language" in out and "0 of them in the classifier" in out
    assert main(["condgen", "evaluate", str(root / "every"), "--classifier",
                 str(root / "none")]) == 2  # a condgen run is not a classify run
    assert "rnnlab: error:" in capsys.readouterr().err
    assert main(["condgen", "evaluate", str(root / "every"), "--unconditional",
                 str(root / "none")]) == 2
    assert "needs --classifier" in capsys.readouterr().err
