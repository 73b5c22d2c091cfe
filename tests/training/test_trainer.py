"""The training loop: clipping, non-finite losses, schedules, NT-ASGD, logs, callbacks."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn
from toy import LinearTask, StreamTask, TermAt

from rnnlab.training import (
    NTASGD,
    NonFiniteLossError,
    StepResult,
    TrainConfig,
    Trainer,
    exploding_events,
    load_weights,
    read_metrics,
)


def _train(records):
    return [r for r in records if r["split"] == "train"]


def _grad(task, batch):
    w = task.model.weight.detach().clone().requires_grad_()
    loss = nn.functional.mse_loss(task.xs[batch] @ w.T, task.ys[batch])
    (g,) = torch.autograd.grad(loss, w)
    return w.detach(), g


@pytest.mark.parametrize("mode", ["norm", "value", "both"])
def test_clipping_and_the_pre_clip_norm(tmp_path, mode):
    task = LinearTask(n_batches=1, bad={0: 30.0})  # large inputs: large gradient
    task.xs[0] = task.xs[0] * 30.0
    task.bad = {}
    w0, g = _grad(task, 0)
    tau, v = 0.5, 0.2
    config = TrainConfig(epochs=1, optimizer="sgd", lr=1.0, progress=False,
                         clip_norm=tau if mode != "value" else None,
                         clip_value=v if mode != "norm" else None)
    Trainer(task, config, tmp_path).fit()
    record = _train(read_metrics(tmp_path))[0]
    assert record["grad_norm"] == pytest.approx(float(g.norm()), rel=1e-6)  # before clipping
    assert float(g.norm()) > 10 * tau
    clipped = g
    if mode != "norm":
        clipped = clipped.clamp(-v, v)
    if mode != "value":
        clipped = clipped * min(1.0, tau / float(clipped.norm()))
    torch.testing.assert_close(task.model.weight.detach(), w0 - clipped)


def test_nan_loss_stops_naming_the_step_and_the_last_good_checkpoint(tmp_path):
    task = LinearTask(n_batches=4, bad={2: math.nan})
    config = TrainConfig(epochs=1, lr=0.1, checkpoint_every=1, progress=False)
    with pytest.raises(NonFiniteLossError) as err:
        Trainer(task, config, tmp_path).fit()
    text = str(err.value)
    assert "non-finite loss (nan) at step 3 (epoch 0, batch 2)" in text
    assert "step-00000002" in text
    assert torch.isfinite(task.model.weight).all()  # never a silently corrupted model
    saved = LinearTask().model
    load_weights(saved, tmp_path, "last")
    torch.testing.assert_close(saved.weight, task.model.weight.detach())
    assert read_metrics(tmp_path)[-1]["nonfinite"] is True


def test_nonfinite_skip_skips_the_step(tmp_path):
    task = LinearTask(n_batches=4, bad={1: math.inf})
    config = TrainConfig(epochs=1, lr=0.1, nonfinite="skip", progress=False)
    summary = Trainer(task, config, tmp_path).fit()
    assert summary["skipped_steps"] == 1 and summary["stopped"] == "completed"
    assert torch.isfinite(task.model.weight).all()


def test_plateau_divides_the_learning_rate_by_four(tmp_path):
    task = LinearTask(n_batches=2, valid_losses=[1.0, 0.9, 0.95, 0.97, 0.8, 0.85])
    config = TrainConfig(epochs=6, optimizer="sgd", lr=1.0, schedule="plateau", progress=False)
    Trainer(task, config, tmp_path).fit()
    lrs = [r["lr"] for r in _train(read_metrics(tmp_path))]
    assert lrs == [1.0] * 6 + [0.25] * 2 + [0.0625] * 4  # evals 3 and 4 did not improve


def test_warmup_cosine(tmp_path):
    config = TrainConfig(epochs=2, lr=1.0, schedule="warmup_cosine", warmup_steps=2,
                         min_lr=0.1, progress=False)
    Trainer(LinearTask(n_batches=3), config, tmp_path).fit()
    lrs = [r["lr"] for r in _train(read_metrics(tmp_path))]
    cos = [0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * k / 4)) for k in range(1, 5)]
    assert lrs == pytest.approx([0.5, 1.0, *cos])


def test_early_stopping(tmp_path):
    task = LinearTask(n_batches=2, valid_losses=[1.0, 0.9, 0.95, 0.96, 0.5])
    config = TrainConfig(epochs=10, lr=0.1, patience=1, progress=False)
    summary = Trainer(task, config, tmp_path).fit()
    assert summary["stopped"] == "early_stopping"
    assert summary["epochs"] == 4  # evals 3 and 4 did not improve: more than patience = 1
    assert summary["best_valid_loss"] == pytest.approx(0.9)


class ParamLog:
    def __init__(self):
        self.params = []

    def on_step_end(self, trainer, step, result):
        self.params.append(trainer.model.weight.detach().clone())


def test_ntasgd_switches_to_averaging(tmp_path):
    valid = [1.0, 0.9, 0.8, 0.85, 0.86, 0.7, 0.88]  # non-monotone trigger at the 5th eval
    task = LinearTask(n_batches=2, valid_losses=valid)
    log = ParamLog()
    config = TrainConfig(epochs=7, optimizer="ntasgd", lr=0.1, ntasgd_nonmono=2,
                         progress=False)
    trainer = Trainer(task, config, tmp_path, callbacks=[log])
    trainer.fit()
    opt = trainer.optimizer
    assert isinstance(opt, NTASGD) and opt.averaging
    after = log.params[10:]  # the 5th evaluation ends epoch 5 = step 10
    assert opt.param_groups[0]["averaged_steps"] == len(after) == 4
    ax = opt.state[task.model.weight]["ax"]
    torch.testing.assert_close(ax, torch.stack(after).mean(0))  # θ̄ = mean of the iterates
    best = LinearTask().model
    meta = load_weights(best, tmp_path, "best")  # the 6th eval (0.7), on θ̄ of steps 11-12
    assert meta["step"] == 12
    torch.testing.assert_close(best.weight.detach(), torch.stack(after[:2]).mean(0))
    assert not torch.allclose(best.weight.detach(), after[1])  # averaged, not the last iterate


def test_ntasgd_before_the_trigger_is_torch_sgd():
    torch.manual_seed(0)
    a, b = nn.Linear(3, 2), nn.Linear(3, 2)
    b.load_state_dict(a.state_dict())
    ours = NTASGD(a.parameters(), lr=0.1, weight_decay=0.01, momentum=0.9)
    ref = torch.optim.SGD(b.parameters(), lr=0.1, weight_decay=0.01, momentum=0.9)
    x = torch.randn(4, 3)
    for _ in range(3):
        for model, opt in ((a, ours), (b, ref)):
            opt.zero_grad()
            model(x).pow(2).sum().backward()
            opt.step()
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        torch.testing.assert_close(p, q)


class Counter:
    def __init__(self):
        self.evals = []

    def on_step_end(self, trainer, step, result):
        return {"double_step": 2 * step, "ignored": "text"}

    def on_eval_end(self, trainer, metrics):
        self.evals.append(metrics["loss"])


def test_metrics_jsonl_callbacks_and_grad_norms(tmp_path):
    counter = Counter()
    config = TrainConfig(epochs=2, lr=0.1, log_every=3, progress=False)
    task = LinearTask(n_batches=3, valid_losses=[0.5, 0.4])
    summary = Trainer(task, config, tmp_path, callbacks=[counter]).fit()
    records = read_metrics(tmp_path)
    train = _train(records)
    assert [r["step"] for r in train] == list(range(1, 7))
    assert all(r["double_step"] == 2 * r["step"] and "ignored" not in r for r in train)
    assert all({"loss", "lr", "grad_norm", "items_per_s", "wall_time", "w0"} <= set(r)
               for r in train)
    assert [("grad_norm/weight" in r) for r in train] == [False, False, True] * 2
    valid = [r for r in records if r["split"] == "valid"]
    assert [r["loss"] for r in valid] == [0.5, 0.4] and valid[0]["twice"] == 1.0
    assert counter.evals == [0.5, 0.4]
    assert summary["valid"] == {"loss": 0.4, "twice": 0.8}
    assert (tmp_path / "plots" / "learning_curves.png").stat().st_size > 1000


def test_exploding_gradient_is_flagged(tmp_path):
    task = LinearTask(n_batches=30, bad={25: 1000.0})
    Trainer(task, TrainConfig(epochs=1, lr=1e-4, progress=False), tmp_path).fit()
    flagged = [r["step"] for r in _train(read_metrics(tmp_path)) if r.get("exploding")]
    assert flagged == [26]


def test_the_flagged_steps_are_the_replay_of_the_logged_norms(tmp_path):
    """One rule: the trainer's ``exploding`` flags == ``exploding_events`` over the logged
    norms with the run's factor, across a NaN step and a resume."""
    bad = {22: 50.0, 3: math.nan, 5: 8.0, 9: 40.0}  # batch index: input scale
    config = TrainConfig(epochs=2, lr=1e-4, explode_factor=5.0, nonfinite="skip",
                         checkpoint_every=10, progress=False)
    Trainer(LinearTask(n_batches=25, bad=bad), config, tmp_path / "cut",
            callbacks=[TermAt(33)]).fit()
    Trainer.resume(LinearTask(n_batches=25, bad=bad), tmp_path / "cut").fit()
    train = _train(read_metrics(tmp_path / "cut"))
    assert [r["step"] for r in train] == list(range(1, 51))
    flagged = [r["step"] for r in train if r.get("exploding")]
    replay = exploding_events([r.get("grad_norm") for r in train], factor=5.0)
    assert flagged == [train[i]["step"] for i in replay]
    assert len(flagged) >= 3 and any(r.get("nonfinite") for r in train)
    assert exploding_events([r.get("grad_norm") for r in train], factor=100.0) != replay


class WeightedTask(LinearTask):
    def batches(self, split, epoch):
        return [1, 3] if split == "valid" else [0]

    def step(self, batch, state):
        if not self.model.training:
            return StepResult(loss=torch.tensor(float(batch), dtype=torch.float64), items=batch)
        return super().step(batch, state)


def test_evaluate_is_item_weighted(tmp_path):
    trainer = Trainer(WeightedTask(), TrainConfig(epochs=1, progress=False), tmp_path)
    assert trainer.evaluate("valid")["loss"] == pytest.approx((1 * 1 + 3 * 3) / 4)


def test_bf16_autocast_on_cpu_and_fp16_refused(tmp_path):
    config = TrainConfig(epochs=1, lr=0.01, precision="bf16", device="cpu", carry_state=True,
                         progress=False)
    summary = Trainer(StreamTask(steps=16), config, tmp_path / "bf16").fit()
    assert math.isfinite(summary["valid"]["loss"])
    with pytest.raises(ValueError, match="fp16' needs a CUDA device"):
        Trainer(StreamTask(), TrainConfig(precision="fp16", device="cpu"), tmp_path / "fp16")


def test_tensorboard_missing_is_a_clear_error(tmp_path):
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        config = TrainConfig(epochs=1, tensorboard=True, progress=False)
        with pytest.raises(ImportError, match=r"pip install 'rnnlab\[tensorboard\]'"):
            Trainer(LinearTask(), config, tmp_path).fit()
    else:
        config = TrainConfig(epochs=1, tensorboard=True, progress=False)
        Trainer(LinearTask(), config, tmp_path).fit()
        assert any((tmp_path / "tensorboard").iterdir())


def test_bad_tasks_and_results_are_reported(tmp_path):
    with pytest.raises(TypeError, match="expected a Task"):
        Trainer(object(), TrainConfig(), tmp_path)

    class Vector(LinearTask):
        def step(self, batch, state):
            return StepResult(loss=torch.ones(3))

    with pytest.raises(ValueError, match=r"expected a scalar tensor, got \(3,\)"):
        Trainer(Vector(), TrainConfig(progress=False), tmp_path).fit()

    class Detached(LinearTask):
        def step(self, batch, state):
            return StepResult(loss=super().step(batch, state).loss.detach(), items=1)

    with pytest.raises(ValueError, match="StepResult.loss has no autograd graph"):
        Trainer(Detached(), TrainConfig(progress=False), tmp_path / "d").fit()


def test_batches_must_be_indexable_and_items_positive(tmp_path):
    class Generator(LinearTask):
        def batches(self, split, epoch):
            return (i for i in range(2)) if split == "train" else []

    with pytest.raises(TypeError, match="must return an indexable sequence"):
        Trainer(Generator(), TrainConfig(progress=False), tmp_path / "g").fit()

    class NoItems(LinearTask):
        def step(self, batch, state):
            return StepResult(loss=super().step(batch, state).loss, items=0)

    with pytest.raises(ValueError, match="StepResult.items: expected a positive int, got 0"):
        Trainer(NoItems(), TrainConfig(progress=False), tmp_path / "n").fit()


def test_config_toml_holds_the_task_sections(tmp_path):
    from rnnlab.config import load_toml

    extra = {"task": {"kind": "toy"}, "model": {"hidden": 8, "dropout": None}}
    trainer = Trainer(LinearTask(), TrainConfig(epochs=1, progress=False), tmp_path / "run",
                      extra_config=extra)
    assert not (tmp_path / "run").exists()  # nothing is written before fit() decided
    trainer.fit()
    saved = load_toml(tmp_path / "run" / "config.toml")
    assert saved["model"] == {"hidden": 8} and saved["task"] == {"kind": "toy"}
    assert saved["train"]["epochs"] == 1
    with pytest.raises(ValueError, match="must not hold a 'train' section"):
        Trainer(LinearTask(), TrainConfig(), tmp_path, extra_config={"train": {}})


class AccuracyTask(LinearTask):
    """Validation losses and accuracies that disagree on which evaluation is best."""

    def __init__(self, losses, accuracies):
        super().__init__(n_batches=2, valid_losses=losses)
        self.accuracies = list(accuracies)

    def eval_metrics(self, mean_loss):  # the accuracy of the evaluation that just ran
        return {"accuracy": self.accuracies[min(self.evals, len(self.accuracies)) - 1]}


def test_monitor_picks_the_best_checkpoint_and_the_patience_by_a_task_metric(tmp_path):
    # the loss is best at eval 2 (0.5), the accuracy at eval 3 (0.8); eval 4 and 5 do not
    # beat 0.8, so patience = 1 stops after eval 5
    losses, accuracies = [1.0, 0.5, 0.7, 0.6, 0.9], [0.6, 0.7, 0.8, 0.75, 0.79]
    config = TrainConfig(epochs=10, lr=0.1, patience=1, monitor="accuracy", progress=False)
    summary = Trainer(AccuracyTask(losses, accuracies), config, tmp_path / "acc").fit()
    assert summary["monitor"] == "accuracy" and summary["best_valid"] == {"accuracy": 0.8}
    assert summary["best_valid_loss"] == pytest.approx(0.7)  # the loss *of* that checkpoint
    assert summary["epochs"] == 5 and summary["stopped"] == "early_stopping"
    best = [r["step"] for r in read_metrics(tmp_path / "acc") if r.get("best")]
    assert best == [2, 4, 6]  # evaluations 1, 2 and 3 (two steps per epoch)
    by_loss = Trainer(AccuracyTask(losses, accuracies),
                      TrainConfig(epochs=10, lr=0.1, patience=1, progress=False),
                      tmp_path / "loss").fit()
    assert by_loss["best_valid"] == {"loss": pytest.approx(0.5)} and by_loss["epochs"] == 4


def test_monitor_names_a_metric_the_task_reports(tmp_path):
    config = TrainConfig(epochs=2, lr=0.1, monitor="f1", progress=False)
    with pytest.raises(ValueError, match=r"train.monitor = 'f1': this task's validation "
                                         r"reports \['accuracy', 'loss'\]"):
        Trainer(AccuracyTask([1.0, 0.9], [0.5, 0.6]), config, tmp_path).fit()
    with pytest.raises(ValueError, match="monitor_mode"):
        TrainConfig(monitor_mode="up")
