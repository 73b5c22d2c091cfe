"""The language-model Task: the step-0 loss check, AR/TAR, variable BPTT, resume safety."""

from __future__ import annotations

import random

import pytest

from rnnlab.tasks import resolve_config
from rnnlab.tasks.lm import build


def build_lm_task(config: dict, run_dir):
    return build(resolve_config(config, kind="lm"), run_dir)


def test_task_step_checks_the_first_loss_against_log_v(tmp_path, caplog, pt_sentence):
    import logging
    import math

    import torch


    rng = random.Random(2)
    (tmp_path / "train.txt").write_text(
        "".join(pt_sentence(rng) + "\n" for _ in range(50)), encoding="utf-8"
    )
    config = {
        "data": {"path": str(tmp_path / "train.txt"), "batch_size": 2, "bptt": 6},
        "model": {"embedding_size": 8, "hidden_size": 8, "num_layers": 1},
        "train": {"carry_state": True},
    }
    task = build_lm_task(config, tmp_path / "run")
    batch = task.batches("train", 0)[0]
    with caplog.at_level(logging.INFO, logger="rnnlab.lm"):
        result = task.step(batch, None)
    assert result.loss.item() == pytest.approx(math.log(len(task.tokenizer)), abs=0.1)
    assert "first training loss" in caplog.text and "far from log V" not in caplog.text
    assert result.items == batch[1].numel() and len(result.state) == 1
    task2 = build_lm_task(config, tmp_path / "run2")
    with torch.no_grad():
        task2.model.decoder.bias[5] = 30.0  # a broken init: one token gets all the mass
    with caplog.at_level(logging.INFO, logger="rnnlab.lm"):
        task2.step(batch, None)
    assert "far from log V" in caplog.text


def test_task_adds_ar_and_tar_in_training_only(tmp_path, pt_sentence):

    rng = random.Random(3)
    (tmp_path / "train.txt").write_text(
        "".join(pt_sentence(rng) + "\n" for _ in range(60)), encoding="utf-8"
    )
    config = {
        "data": {
            "path": str(tmp_path / "train.txt"),
            "batch_size": 2,
            "bptt": 6,
            "variable_bptt": True,
        },
        "model": {
            "embedding_size": 8,
            "hidden_size": 8,
            "num_layers": 2,
            "dropout_output": 0.3,
            "weight_drop": 0.2,
        },
        "lm": {"ar": 2.0, "tar": 1.0},
        "train": {"carry_state": True},
    }
    task = build_lm_task(config, tmp_path / "run")
    assert task.batches("train", 0).lengths != task.batches("train", 1).lengths
    assert task.batches("valid", 0) == []  # a single file without hold-out: no valid split
    batch = task.batches("train", 0)[0]
    result = task.step(batch, None)
    m = result.metrics
    assert m["ar"] > 0 and m["tar"] > 0
    assert result.loss.item() == pytest.approx(m["cross_entropy"] + m["ar"] + m["tar"], rel=1e-5)
    task.model.eval()
    assert task.step(batch, None).metrics == {}  # evaluation scores the cross-entropy alone
