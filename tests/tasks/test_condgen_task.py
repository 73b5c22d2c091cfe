"""Conditional generation: the condition drives the decoder (first step, every step), the
unconditional baseline ignores it, the labelled folder splits by distinct text."""

from __future__ import annotations

import pytest
import torch

from rnnlab.data.text.labelled import load_labelled_folder
from rnnlab.generation import beam_search
from rnnlab.models.conditional import ConditionalConfig, ConditionalGenerator, ConditionedLM
from rnnlab.tasks import train
from rnnlab.tasks.condgen import evaluate_run, generate_items, load_generator


@pytest.fixture
def names(tmp_path):
    folder = tmp_path / "names"
    folder.mkdir()
    (folder / "Ab.txt").write_text("\n".join(f"Ab{c}ab" for c in "bcdfghjklmnp") + "\nAbel\n")
    (folder / "Xy.txt").write_text("\n".join(f"Xy{c}yx" for c in "bcdfghjklmnp") + "\nAbel\n"
                                   "Xybyx\n")
    return tmp_path


def test_labelled_folder_splits_by_distinct_text(names):
    split = load_labelled_folder(names, valid=0.2, test=0.2, seed=1)
    assert split.read == 27 and split.duplicates == 1  # "Xybyx" twice in Xy.txt
    assert split.notes == {"texts with more than one label (kept, in one split)": 1}
    where = [s for s, items in split.items.items() for it in items if it.text == "Abel"]
    assert len(where) == 2 and len(set(where)) == 1
    (names / "empty").mkdir()
    with pytest.raises(ValueError, match="at least 2 classes"):
        load_labelled_folder(names / "empty")


@pytest.mark.parametrize("mode", ["first", "every", "none"])
def test_the_condition_matters_exactly_when_used(mode):
    torch.manual_seed(0)
    model = ConditionalGenerator(ConditionalConfig(mode=mode, hidden_size=16, embedding_size=8,
                                                   condition_size=4, dropout_input=0.0), 12,
                                 num_classes=3).eval()
    tokens = torch.randint(0, 12, (5, 2))
    a = model(torch.tensor([0, 0]), tokens)
    b = model(torch.tensor([2, 2]), tokens)
    assert a.shape == (5, 2, 12)
    assert torch.allclose(a, b) == (mode == "none")
    lm = ConditionedLM(model, torch.tensor([2]))
    stepped, _ = lm(tokens[:, :1])
    assert torch.allclose(stepped[:, 0], b[:, 0], atol=1e-5)  # the step loop = teacher forcing
    hyps = beam_search(lm, [], start_id=1, eos_id=1, beam_width=3, max_tokens=4)
    assert len(hyps) == 3
    features = ConditionalGenerator(ConditionalConfig(mode=mode, hidden_size=8), 12,
                                    feature_size=6)
    assert features(torch.randn(2, 6), tokens).shape == (5, 2, 12)


def test_a_run_learns_its_conditions(names):
    config = {"task": {"kind": "condgen"},
              "data": {"path": str(names), "valid_fraction": 0.2, "test_fraction": 0.2,
                       "batch_size": 8},
              "model": {"hidden_size": 24, "embedding_size": 8, "condition_size": 4,
                        "dropout_input": 0.0},
              "train": {"epochs": 25, "lr": 0.02, "progress": False},
              "sample": {"per_condition": 2, "temperature": 0.0}}
    result = train(config, names / "run")
    assert (names / "run" / "report.md").is_file() and (names / "run" / "labels.json").is_file()
    gen = load_generator(names / "run")
    assert generate_items(gen, "Ab", 1)[0].startswith("Ab")  # greedy: the condition decides
    assert generate_items(gen, "Xy", 1)[0].startswith("Xy")
    assert generate_items(gen, "Xy", 1, start="Ab")[0].startswith("Ab")
    assert evaluate_run(names / "run").bpc == pytest.approx(result.report.bpc)
    with pytest.raises(ValueError, match="unknown condition"):
        generate_items(gen, "Zz", 1)
