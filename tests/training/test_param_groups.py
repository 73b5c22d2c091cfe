"""The optimizer's parameter groups: a model's own ``param_groups`` (discriminative rates)."""

from __future__ import annotations

import json

import pytest
from torch import nn

from rnnlab.training import TrainConfig, Trainer
from rnnlab.training.optim import parameter_groups

from .toy import StreamTask


class GroupedLSTM(StreamTask):
    """The toy stream task whose model trains its LSTM at a quarter of the head's rate."""

    def __init__(self) -> None:
        super().__init__(steps=32)
        model = self.model
        model.param_groups = lambda: [{"params": list(model.lstm.parameters()), "lr_scale": 0.25},
                                      {"params": list(model.head.parameters()), "lr_scale": 1.0}]


def test_groups_keep_their_ratio_through_the_schedule_and_resume(tmp_path):
    config = TrainConfig(epochs=2, lr=0.01, schedule="warmup_cosine", warmup_steps=2, min_lr=1e-3,
                         progress=False)
    trainer = Trainer(GroupedLSTM(), config, tmp_path)
    trainer.fit()
    lstm, head = trainer.optimizer.param_groups
    assert lstm["lr"] == pytest.approx(0.25 * head["lr"])
    logged = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    first = next(r for r in logged if r["split"] == "train")
    assert first["lr"] == pytest.approx(0.01 * 1 / 2)  # the head's (scheduled) rate is logged
    resumed = Trainer.resume(GroupedLSTM(), tmp_path, overrides={"epochs": 3})
    resumed.fit()
    lstm, head = resumed.optimizer.param_groups
    assert lstm["lr"] == pytest.approx(0.25 * head["lr"]) and head["lr"] > 0


def test_every_parameter_must_be_listed_once():
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    model.param_groups = lambda: [{"params": list(model[0].parameters())}]
    with pytest.raises(ValueError, match="exactly once"):
        parameter_groups(model, 0.1)
    model[0].weight.requires_grad_(False)  # frozen parameters are left out of the optimizer
    model.param_groups = lambda: [{"params": list(model.parameters())}]
    assert len(parameter_groups(model, 0.1)[0]["params"]) == 3
