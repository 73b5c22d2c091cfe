"""Resuming with changed settings: what the config says is what runs, or it is refused;
a refused start writes nothing."""

from __future__ import annotations

import math
import os

import pytest
import torch
from torch import nn
from toy import LinearTask, StreamTask, TermAt

from rnnlab.config import load_toml
from rnnlab.training import TrainConfig, Trainer, load_weights, plot_learning_curves, read_metrics


def _train(run_dir):
    return [r for r in read_metrics(run_dir) if r["split"] == "train"]


def _files(run_dir):
    return {p.relative_to(run_dir): p.read_bytes() for p in sorted(run_dir.rglob("*"))
            if p.is_file()}


def test_resume_with_a_new_lr_trains_with_it(tmp_path):
    config = TrainConfig(epochs=1, optimizer="sgd", lr=0.1, progress=False)
    Trainer(LinearTask(), config, tmp_path).fit()
    start = LinearTask(seed=5)
    load_weights(start.model, tmp_path, "last")
    trainer = Trainer.resume(LinearTask(), tmp_path, overrides={"lr": 0.5, "epochs": 2})
    trainer.fit()

    assert trainer.optimizer.param_groups[0]["lr"] == 0.5
    train = _train(tmp_path)
    assert [r["lr"] for r in train] == [0.1] * 4 + [0.5] * 4
    assert load_toml(tmp_path / "config.toml")["train"]["lr"] == 0.5
    resumed = [r for r in read_metrics(tmp_path) if r["split"] == "resume"]
    assert resumed == [{"step": 4, "split": "resume",
                        "changed": {"epochs": [1, 2], "lr": [0.1, 0.5]}}]
    # the weights moved by lr 0.5: plain SGD by hand from the checkpoint
    data = LinearTask()
    w = start.model.weight.detach().clone()
    for b in range(4):
        w_ = w.clone().requires_grad_()
        (g,) = torch.autograd.grad(nn.functional.mse_loss(data.xs[b] @ w_.T, data.ys[b]), w_)
        w = w - 0.5 * g
    torch.testing.assert_close(trainer.model.weight.detach(), w)
    assert plot_learning_curves(tmp_path) is not None  # the resume record is not a point


def test_resume_with_a_new_lr_under_plateau_keeps_the_divisions(tmp_path):
    config = TrainConfig(epochs=2, optimizer="sgd", lr=1.0, schedule="plateau", progress=False)
    Trainer(LinearTask(n_batches=2, valid_losses=[1.0, 1.1]), config, tmp_path).fit()
    assert [r["lr"] for r in _train(tmp_path)] == [1.0] * 4  # then one division (eval 2)
    trainer = Trainer.resume(LinearTask(n_batches=2, valid_losses=[0.9, 0.95]), tmp_path,
                             overrides={"lr": 2.0, "epochs": 4})
    trainer.fit()
    assert [r["lr"] for r in _train(tmp_path)][4:] == [0.5] * 4  # 2.0 / 4^1
    assert trainer.optimizer.param_groups[0]["lr"] == 2.0 / 16  # eval 4 divided again
    assert trainer.state.schedule.divisions == 2


def test_resume_with_a_new_lr_under_warmup_cosine(tmp_path):
    config = TrainConfig(epochs=2, lr=1.0, schedule="warmup_cosine", warmup_steps=2,
                         min_lr=0.1, checkpoint_every=1, progress=False)
    Trainer(LinearTask(n_batches=3), config, tmp_path, callbacks=[TermAt(3)]).fit()
    trainer = Trainer.resume(LinearTask(n_batches=3), tmp_path, overrides={"lr": 2.0})
    trainer.fit()
    lrs = [r["lr"] for r in _train(tmp_path)]
    cos = [0.1 + 1.9 * 0.5 * (1 + math.cos(math.pi * k / 4)) for k in (2, 3, 4)]
    assert lrs[3:] == pytest.approx(cos)
    assert trainer.optimizer.param_groups[0]["lr"] == pytest.approx(cos[-1])


def test_a_fixed_field_change_is_refused_and_nothing_is_written(tmp_path):
    config = TrainConfig(epochs=1, optimizer="adam", lr=0.01, progress=False)
    Trainer(LinearTask(), config, tmp_path).fit()
    before = _files(tmp_path)
    with pytest.raises(ValueError, match=r"train.optimizer cannot change when resuming "
                                         r"\(checkpoint 'adam', now 'sgd'\)"):
        Trainer.resume(LinearTask(), tmp_path, overrides={"optimizer": "sgd"}).fit()
    changed = TrainConfig(epochs=2, optimizer="adam", lr=0.01, seed=7, progress=False)
    with pytest.raises(ValueError, match=r"train.seed cannot change .* \(checkpoint 0, now 7\)"):
        Trainer(LinearTask(), changed, tmp_path).fit(resume=True)  # what `rnnlab train` does
    assert _files(tmp_path) == before


def test_a_refused_fresh_start_leaves_every_file_as_it_was(tmp_path):
    config = TrainConfig(epochs=1, lr=0.01, carry_state=True, progress=False)
    Trainer(StreamTask(), config, tmp_path).fit()
    (tmp_path / "checkpoints" / ".tmp-step-00000099-1").mkdir()  # crash debris stays too
    before = _files(tmp_path)
    other = TrainConfig(epochs=3, lr=0.5, carry_state=True, progress=False)
    with pytest.raises(ValueError, match="already has checkpoints"):
        Trainer(StreamTask(), other, tmp_path).fit()
    assert _files(tmp_path) == before
    assert (tmp_path / "checkpoints" / ".tmp-step-00000099-1").is_dir()


def test_an_unwritable_run_dir_is_refused_before_any_write(tmp_path):
    (tmp_path / "file").write_text("x")
    trainer = Trainer(LinearTask(), TrainConfig(epochs=1, progress=False),
                      tmp_path / "file" / "run")
    with pytest.raises(ValueError, match=r"run directory .*file/run: .*file is not a directory"):
        trainer.fit()
    if os.geteuid() != 0:  # root may write anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(ValueError, match="directory .*locked/run: .*locked is not writable"):
            Trainer(LinearTask(), TrainConfig(epochs=1, progress=False), locked / "run").fit()
