"""NaN/inf weights are never checkpointed nor loaded; a NaN/inf validation is named."""

from __future__ import annotations

import json
import logging
import math

import pytest
import torch
from safetensors.torch import save_file
from toy import LinearTask

from rnnlab.training import (
    CheckpointError,
    NonFiniteLossError,
    TrainConfig,
    Trainer,
    latest_good_checkpoint,
    load_weights,
    read_metrics,
)
from rnnlab.training.checkpoint import sha256_file


class Poison:
    """After step ``n`` the weights hold ``value`` although that step's loss was finite."""

    def __init__(self, n, value):
        self.n, self.value = n, value

    def on_step_end(self, trainer, step, result):
        if step == self.n:
            with torch.no_grad():
                trainer.model.weight[0, 1] = self.value


@pytest.mark.parametrize(("value", "nonfinite"), [(math.inf, "stop"), (math.nan, "skip")])
def test_nonfinite_weights_are_never_checkpointed(tmp_path, value, nonfinite):
    config = TrainConfig(epochs=1, lr=0.1, checkpoint_every=1, nonfinite=nonfinite,
                         progress=False)
    with pytest.raises(CheckpointError) as err:
        Trainer(LinearTask(), config, tmp_path, callbacks=[Poison(2, value)]).fit()
    text = str(err.value)
    assert "model tensor 'weight' holds NaN/inf" in text and "not saving step 2" in text
    assert "step-00000001" in text  # the newest good checkpoint, which stays the newest
    assert latest_good_checkpoint(tmp_path).name == "step-00000001"
    saved = LinearTask().model
    load_weights(saved, tmp_path, "last")
    assert torch.isfinite(saved.weight).all()


def test_load_weights_refuses_nonfinite_weights(tmp_path):
    Trainer(LinearTask(valid_losses=[1.0]), TrainConfig(epochs=1, progress=False),
            tmp_path).fit()
    best = tmp_path / "checkpoints" / "best"
    save_file({"weight": torch.tensor([[1.0, math.nan]])}, str(best / "model.safetensors"))
    meta = json.loads((best / "meta.json").read_text())
    meta["sha256"]["model.safetensors"] = sha256_file(best / "model.safetensors")
    (best / "meta.json").write_text(json.dumps(meta))  # a checkpoint written by older code
    model = LinearTask().model
    before = model.weight.detach().clone()
    with pytest.raises(CheckpointError, match=r"refusing to load .*best/model.safetensors: "
                                              r"model tensor 'weight' holds NaN/inf"):
        load_weights(model, tmp_path, "best")
    assert torch.equal(model.weight.detach(), before)  # untouched


def test_nonfinite_validation_loss_stops_naming_split_and_step(tmp_path):
    task = LinearTask(n_batches=4, valid_losses=[math.inf])
    with pytest.raises(NonFiniteLossError,
                       match=r"non-finite validation loss \(inf\) on 'valid' at step 4 "
                             r"\(epoch 0\).*Check the validation data"):
        Trainer(task, TrainConfig(epochs=2, lr=0.1, progress=False), tmp_path).fit()
    valid = [r for r in read_metrics(tmp_path) if r["split"] == "valid"]
    assert valid == [{**valid[0], "step": 4, "loss": None, "nonfinite": True, "best": False}]


def test_nonfinite_validation_loss_skipped_says_so_later(tmp_path, caplog):
    task = LinearTask(n_batches=2, valid_losses=[math.nan, math.inf])
    config = TrainConfig(epochs=2, lr=0.1, nonfinite="skip", progress=False)
    with caplog.at_level(logging.WARNING, logger="rnnlab.training"):
        summary = Trainer(task, config, tmp_path).fit()
    assert "non-finite validation loss (nan) on 'valid' at step 2 (epoch 0)" in caplog.text
    assert "non-finite validation loss (inf) on 'valid' at step 4 (epoch 1)" in caplog.text
    assert summary["best_valid_loss"] is None and summary["stopped"] == "completed"
    with pytest.raises(CheckpointError, match=r"no best checkpoint .*: every validation loss "
                                              r"was NaN/inf \(the first at step 2\)"):
        load_weights(LinearTask().model, tmp_path, "best")
    resumed = Trainer.resume(LinearTask(n_batches=2, valid_losses=[0.5]), tmp_path,
                             overrides={"epochs": 3})
    assert resumed.fit()["best_valid_loss"] == 0.5  # a finite one later is a best
    load_weights(LinearTask().model, tmp_path, "best")
