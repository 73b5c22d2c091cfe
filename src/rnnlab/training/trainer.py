"""The task-agnostic training loop: one optimizer step per training batch.

    state = None at the start of every epoch
    for batch in task.batches("train", epoch):
        result = task.step(batch, state)       # forward, backward, clip, update: step.py
        state = detach_state(result.state) if carry_state else None

With ``carry_state`` a long stream is learned by truncated BPTT with
k1 = k2 = chunk length; with ``bptt_k2 = m·k1`` each chunk's loss reaches k2
steps back (TBPTT(k1, k2), ``rnnlab.training.tbptt``). Around that loop:
evaluation and the best checkpoint, schedules, early stopping, the logs, and
the run directory (``RunFiles``: checkpoints and exact resume of the
``TrainingState`` the trainer owns).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import torch

from rnnlab.cells.state import detach_state
from rnnlab.config import from_dict, load_toml
from rnnlab.training.batches import TaskBatches, window_chunks
from rnnlab.training.callbacks import Callbacks
from rnnlab.training.config import TrainConfig
from rnnlab.training.distributed import all_reduce_sum, init_distributed, wrap_ddp
from rnnlab.training.evaluate import evaluate_split
from rnnlab.training.metrics import numbers
from rnnlab.training.nonfinite import NonFiniteLossError, step_error, validation_error
from rnnlab.training.optim import averaged, build_optimizer, maybe_trigger_ntasgd
from rnnlab.training.precision import (
    apply_determinism,
    check_precision,
    make_scaler,
    resolve_device,
)
from rnnlab.training.progress import Progress, first_metric
from rnnlab.training.rng import seed_everything
from rnnlab.training.run import RunFiles
from rnnlab.training.schedule import Schedule
from rnnlab.training.signals import GracefulStop
from rnnlab.training.step import Stepper
from rnnlab.training.task import Task
from rnnlab.training.training_state import TrainingState

log = logging.getLogger("rnnlab.training")

__all__ = ["NonFiniteLossError", "Trainer"]  # (the error lives in nonfinite.py)


class Trainer:
    """Trains ``task.model`` on ``task``'s batches; writes everything to ``run_dir``.

    ``extra_config`` holds the task's own config sections (written beside
    ``[train]`` in ``run_dir/config.toml`` so the run can be rebuilt from its
    files). ``callbacks``: see ``rnnlab.training.callbacks``. Nothing is written
    before ``fit()`` has decided how the run starts and checked it.
    """

    def __init__(self, task: Task, config: TrainConfig, run_dir: str | Path, *,
                 extra_config: dict[str, Any] | None = None,
                 callbacks: Iterable[Any] = ()) -> None:
        if not isinstance(task, Task):
            raise TypeError("expected a Task (attributes model, batches, step, eval_metrics), "
                            f"got {type(task).__name__}")
        if not isinstance(config, TrainConfig):
            raise TypeError(f"expected a TrainConfig, got {type(config).__name__}")
        if extra_config is not None and "train" in extra_config:
            raise ValueError("extra_config must not hold a 'train' section (that is `config`)")
        self.task = task
        self.config = config
        self.run_dir = Path(run_dir)
        self.callbacks = Callbacks(callbacks)
        self.model = task.model  # the bare model (never the DDP wrapper): what gets saved
        self.dist = init_distributed(use_cuda=config.device != "cpu" and torch.cuda.is_available())
        self.device = resolve_device(config.device, self.dist.local_rank)
        check_precision(config.precision, self.device)
        apply_determinism(config.deterministic, self.device)
        self.model.to(self.device)
        self.optimizer = build_optimizer(self.model, config)
        self.scaler = make_scaler(config.precision, self.device)
        self.state = TrainingState.for_config(config)
        self.files = RunFiles(self.run_dir, config, extra_config or {}, self.dist, self.model,
                              self.optimizer, self.scaler)
        self.stepper = Stepper(task, self.model, self.optimizer, self.scaler, config, self.dist,
                               self.device)
        self.batches = TaskBatches(task, self.dist, config.carry_state)
        self._resume_pending = False
        self._stop_now = False  # DDP: a stop request seen by the ranks' all-reduce

    @property
    def step(self) -> int:
        """Optimizer steps done so far (``state.step``)."""
        return self.state.step

    # ------------------------------------------------------------------ public
    @classmethod
    def resume(cls, task: Task, run_dir: str | Path, *, callbacks: Iterable[Any] = (),
               overrides: dict[str, Any] | None = None) -> Trainer:
        """A trainer rebuilt from ``run_dir/config.toml`` whose ``fit()`` continues the run
        from its newest good checkpoint. ``overrides`` change ``[train]`` fields: the new
        values are used and recorded (``{"epochs": 20}`` trains longer, ``{"lr": 0.5}``
        continues at that rate); those of ``config.FIXED_ON_RESUME`` are refused."""
        data = load_toml(Path(run_dir) / "config.toml")
        train = {**data.get("train", {}), **(overrides or {})}
        extra = {k: v for k, v in data.items() if k != "train"}
        trainer = cls(task, from_dict(TrainConfig, train), run_dir, extra_config=extra,
                      callbacks=callbacks)
        trainer._resume_pending = True
        return trainer

    def fit(self, resume: bool | None = None) -> dict[str, Any]:
        """Train until epochs, ``max_steps`` or a time budget end, early stopping or a signal.

        Returns a summary: steps, epochs, why it stopped, last train loss, best and
        last validation metrics, run directory and last checkpoint.
        """
        c, s = self.config, self.state
        resume = self._resume_pending if resume is None else resume
        checkpoint = self.files.choose(resume)  # decide and check before any write
        changed = {}
        if checkpoint is not None:
            changed = self.files.restore(checkpoint, s, self.device)
        else:
            seed_everything(c.seed + self.dist.rank)
        n_train = len(self.batches.train(0))
        if n_train == 0:
            raise ValueError("task.batches('train', 0) is empty: nothing to train on")
        self._has_valid = len(self.task.batches("valid", 0)) > 0
        s.window.m = window_chunks(c.bptt_k2, self.task)
        total = c.max_steps or c.epochs * n_train
        self.schedule = Schedule(c, self.optimizer, total, s.schedule)
        self.metrics = self.files.begin(None if checkpoint is None else s.step, changed)
        self.progress = Progress(c.progress and self.dist.is_main, total, c.log_every, s.step,
                                 epochs=c.epochs)
        if self.dist.enabled:
            self.task.model = wrap_ddp(self.model, self.dist, self.device)
        reason = "completed"
        try:
            with GracefulStop() as stop:
                reason = self._loop(stop)
        finally:
            self.task.model = self.model
            self.progress.close()
            self.metrics.close()
        if self.dist.is_main:
            self.files.plot()
        last = self.files.last_checkpoint
        return {**s.summary(reason), "run_dir": str(self.run_dir),
                "last_checkpoint": None if last is None else str(last)}

    def evaluate(self, split: str = "valid") -> dict[str, float]:
        """Item-weighted mean loss over ``task.batches(split, 0)`` plus the task's metrics.

        Runs without gradients in eval mode, on NT-ASGD's averaged weights once
        averaging has started; under DDP each rank evaluates its shard and the
        sums are combined.
        """
        with averaged(self.optimizer):
            return evaluate_split(self.task, self.model, self.batches.get(split, 0), split,
                                  config=self.config, device=self.device, dist=self.dist)

    # ------------------------------------------------------------------ loop
    def _loop(self, stop: GracefulStop) -> str:
        c, s = self.config, self.state
        last_eval_step = s.step if s.validation.last is not None else -1
        while s.epoch < c.epochs:
            batches = self.batches.train(s.epoch)
            if s.batch_index == 0:
                s.restart_stream(0)  # a new epoch: a fresh state
            while s.batch_index < len(batches):
                if c.max_steps is not None and s.step >= c.max_steps:
                    return self._finish("max_steps", last_eval_step)
                if self._out_of_time():
                    return self._finish("time_budget", last_eval_step)
                self._train_step(batches, stop)
                epoch_end = s.batch_index == len(batches)
                if epoch_end:  # the position is the next epoch's start
                    s.next_epoch()
                    self.progress.epoch_end(s.epoch - 1, s.step)
                evaluate = (self._has_valid and (
                    (c.eval_every is not None and s.step % c.eval_every == 0)
                    or (c.eval_every is None and epoch_end)))
                early = False
                if evaluate:
                    early = self._eval_and_track()
                    last_eval_step = s.step
                stopping = self._stop_now if self.dist.enabled else bool(stop.requested)
                if stopping or early or (
                        c.checkpoint_every is not None and s.step % c.checkpoint_every == 0
                ) or (c.checkpoint_every is None and (evaluate or epoch_end)):
                    self.files.save_step(s, self.device)
                if stopping:
                    self.progress.message(f"stopped by {stop.requested} after step {s.step}; "
                                          f"checkpoint {self.files.last_checkpoint}")
                    return f"signal:{stop.requested}"
                if early:
                    return "early_stopping"
                if epoch_end:
                    break
        return self._finish("completed", last_eval_step)

    def _out_of_time(self) -> bool:
        """``max_seconds`` / ``max_cpu_seconds`` spent (all ranks stop at one step under DDP)."""
        c = self.config
        over = self.state.out_of_time(c.max_seconds, c.max_cpu_seconds)
        if self.dist.enabled and (c.max_seconds or c.max_cpu_seconds):
            over = all_reduce_sum([float(over)], self.dist, self.device)[0] > 0
        return over

    def _finish(self, reason: str, last_eval_step: int) -> str:
        """The end of the run: a last evaluation and checkpoint unless they just happened."""
        evaluated = False
        if self._has_valid and last_eval_step != self.state.step:
            self._eval_and_track()
            evaluated = True
        if evaluated or self.files.saved_step != self.state.step:
            self.files.save_step(self.state, self.device)
        return reason

    def _train_step(self, batches: Sequence[Any], stop: GracefulStop) -> None:
        c, s = self.config, self.state
        self.schedule.before_step(s.step + 1)
        lr = self.schedule.lr
        out = self.stepper.run(batches, s, bool(stop.requested),
                               parameter_norms=(s.step + 1) % c.log_every == 0)
        if self.dist.enabled:  # decide on what every rank saw, so all stop at one step
            self._stop_now = out.stop
            if out.stop and not stop.requested:
                stop.requested = "SIGTERM (another rank)"
        record: dict[str, Any] = {"step": s.step + 1, "epoch": s.epoch, "split": "train"}
        if out.nonfinite is not None:
            self._nonfinite(*out.nonfinite, record)
            return
        s.advance(detach_state(out.result.state) if c.carry_state else None,  # keep the values,
                  out.next_anchor)  # cut the graph at the chunk edge (truncated BPTT)
        record.update(loss=out.loss, lr=lr, grad_norm=out.grad_norm, items=out.items,
                      items_per_s=out.items / max(out.seconds, 1e-9),
                      wall_time=s.wall_time(), cpu_time=s.cpu_time(),
                      **numbers(out.result.metrics),
                      **{f"grad_norm/{k}": v for k, v in out.parameter_norms.items()})
        if s.watch.observe(out.grad_norm):  # (fp16: an inf norm the scaler skipped is not)
            record["exploding"] = True
            log.warning("step %d: gradient norm %.3g is over %g x the running median %.3g",
                        s.step, out.grad_norm, c.explode_factor, s.watch.median)
        record.update(self.callbacks.step_end(self, s.step, out.result))
        self.metrics.write(record)
        if s.step % c.log_every == 0:
            self.metrics.flush()
        shown = {"loss": out.loss, **first_metric(self.task.eval_metrics, out.loss),
                 "items/s": record["items_per_s"], "epoch": s.epoch}
        self.progress.update(s.step, shown)

    def _nonfinite(self, what: str, value: float, record: dict[str, Any]) -> None:
        s = self.state
        where = f"step {s.step + 1} (epoch {s.epoch}, batch {s.batch_index})"
        self.metrics.write({**record, what: value, "nonfinite": True})
        self.metrics.flush()
        if self.config.nonfinite == "stop":
            raise step_error(what, value, where, self.files.last_checkpoint)
        log.warning("non-finite %s (%s) at %s: step skipped, carried state reset",
                    what, value, where)
        s.skip()

    def _eval_and_track(self) -> bool:
        """Evaluate on valid, log, track the best, step schedules; True = stop early."""
        c, s = self.config, self.state
        metrics = self.evaluate("valid")
        improved = s.validation.update(s.step, metrics)
        record = {"step": s.step, "epoch": s.step_epoch, "split": "valid", **numbers(metrics),
                  "best": improved, "wall_time": s.wall_time(), "cpu_time": s.cpu_time()}
        finite = math.isfinite(metrics["loss"])
        if not finite:
            record["nonfinite"] = True
        self.metrics.write(record)
        self.metrics.flush()
        if not finite:
            what = (f"non-finite validation loss ({metrics['loss']}) on 'valid' at step "
                    f"{s.step} (epoch {s.step_epoch})")
            if c.nonfinite == "stop":
                raise validation_error(what, self.files.last_checkpoint)
            log.warning("%s: not a best; counted as no improvement", what)
        shown = " ".join(f"{k}={v:.4g}" for k, v in metrics.items())
        self.progress.message(f"valid step {s.step}: {shown}")
        if improved:
            with averaged(self.optimizer):
                self.files.save_best(s, metrics)
        self.schedule.after_eval(improved)
        if maybe_trigger_ntasgd(self.optimizer, s.validation.history, c.ntasgd_nonmono):
            log.info("NT-ASGD: validation loss stopped improving at step %d; averaging from "
                     "now on", s.step)
        self.callbacks.eval_end(self, metrics)
        return s.validation.patience_exhausted(c.patience)

