"""The task-agnostic training loop.

One optimizer step per training batch::

    state = None at the start of every epoch
    for batch in task.batches("train", epoch):
        result = task.step(batch, state)              # forward: the task's business
        result.loss.backward()                        # BPTT back to the chunk's first step
        ‖g‖ = global L2 norm; clip; optimizer step    # ‖g‖ logged before clipping
        state = detach_state(result.state) if carry_state else None

With ``carry_state`` a long stream is learned by truncated BPTT with
k1 = k2 = chunk length; with ``bptt_k2 = m·k1`` the trainer replays the
previous m − 1 chunks from a detached anchor so the gradient of each chunk's
loss reaches k2 steps back (TBPTT(k1, k2), see ``rnnlab.training.tbptt``).
Everything else — checkpoints, exact resume, signals, logs, AMP, DDP — is
bookkeeping around that loop, kept in ``rnnlab.training.run``.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from rnnlab.config import from_dict, load_toml
from rnnlab.training.clipping import ExplosionWatch, clip_gradients, parameter_grad_norms
from rnnlab.training.config import TrainConfig
from rnnlab.training.distributed import (
    all_gather_objects,
    all_reduce_sum,
    average_gradients,
    init_distributed,
    wrap_ddp,
)
from rnnlab.training.metrics import MetricsLog
from rnnlab.training.optim import NTASGD, build_optimizer, should_trigger_ntasgd
from rnnlab.training.precision import (
    apply_determinism,
    autocast,
    check_precision,
    make_scaler,
    resolve_device,
)
from rnnlab.training.progress import Progress
from rnnlab.training.rng import seed_everything
from rnnlab.training.run import RunFiles, ShardedBatches
from rnnlab.training.schedule import Schedule
from rnnlab.training.signals import GracefulStop
from rnnlab.training.state import detach_state
from rnnlab.training.task import StepResult, Task
from rnnlab.training.tracking import ValidationTracker
from rnnlab.training.window import ChunkWindow

log = logging.getLogger("rnnlab.training")


class NonFiniteLossError(RuntimeError):
    """The loss or gradient norm became NaN/inf and ``train.nonfinite = "stop"``."""


class Trainer:
    """Trains ``task.model`` on ``task``'s batches; writes everything to ``run_dir``.

    ``extra_config`` holds the task's own config sections (written beside
    ``[train]`` in ``run_dir/config.toml`` so the run can be rebuilt from its
    files). ``callbacks`` are objects with optional ``on_step_end(trainer, step,
    result) -> dict | None`` (returned numbers go into metrics.jsonl) and
    ``on_eval_end(trainer, metrics)``.
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
        self.callbacks = list(callbacks)
        self.model = task.model  # the bare model (never the DDP wrapper): what gets saved
        self.dist = init_distributed(use_cuda=config.device != "cpu" and torch.cuda.is_available())
        self.device = resolve_device(config.device, self.dist.local_rank)
        check_precision(config.precision, self.device)
        apply_determinism(config.deterministic, self.device)
        self.model.to(self.device)
        self.optimizer = build_optimizer(self.model, config)
        self.scaler = make_scaler(config.precision, self.device)
        self.files = RunFiles(self, extra_config or {})
        if self.dist.enabled:
            if hasattr(task, "set_shard"):
                task.set_shard(self.dist.rank, self.dist.world_size)
            elif config.carry_state:
                raise ValueError("DDP with train.carry_state needs task.set_shard(rank, "
                                 "world_size): each rank must read its own part of the stream")
        # position and history: everything a checkpoint must restore
        self.step = 0  # optimizer steps done
        self.epoch = 0  # current epoch
        self.batch_index = 0  # next training batch of the current epoch
        self.state: Any = None  # detached recurrent state carried into the next batch
        self.window = ChunkWindow(1)  # TBPTT(k1, k2): chunks replayed before each step
        self.valid = ValidationTracker()  # best validation loss, history, patience
        self.watch = ExplosionWatch(config.explode_factor)  # flags exploding gradient norms
        self.skipped_steps = 0
        self.schedule: Schedule | None = None
        self._resume_pending = False
        self._step_epoch = 0
        self._stop_now = False  # DDP: a stop request seen by the ranks' all-reduce

    # ------------------------------------------------------------------ public
    @classmethod
    def resume(cls, task: Task, run_dir: str | Path, *, callbacks: Iterable[Any] = (),
               overrides: dict[str, Any] | None = None) -> Trainer:
        """A trainer rebuilt from ``run_dir/config.toml`` whose ``fit()`` continues the run
        from its newest good checkpoint (``overrides`` may change ``[train]`` fields,
        e.g. ``{"epochs": 20}`` to train longer)."""
        data = load_toml(Path(run_dir) / "config.toml")
        train = {**data.get("train", {}), **(overrides or {})}
        extra = {k: v for k, v in data.items() if k != "train"}
        trainer = cls(task, from_dict(TrainConfig, train), run_dir, extra_config=extra,
                      callbacks=callbacks)
        trainer._resume_pending = True
        return trainer

    def fit(self, resume: bool | None = None) -> dict[str, Any]:
        """Train until the epochs or ``max_steps`` are done, early stopping, or a signal.

        Returns a summary: steps, epochs, why it stopped, last train loss, best and
        last validation metrics, run directory and last checkpoint.
        """
        resume = self._resume_pending if resume is None else resume
        c = self.config
        if resume:
            self.files.restore_latest()
        else:
            self.files.start_fresh()
            seed_everything(c.seed + self.dist.rank)
        n_train = len(self._train_batches(0))
        if n_train == 0:
            raise ValueError("task.batches('train', 0) is empty: nothing to train on")
        self._has_valid = len(self.task.batches("valid", 0)) > 0
        total = c.max_steps or c.epochs * n_train
        self.schedule = Schedule(c, self.optimizer, total)
        if resume and self.files.restored_schedule is not None:
            self.schedule.load_state_dict(self.files.restored_schedule)
        self.window.m = self._check_k2()
        self.metrics = MetricsLog(self.run_dir, enabled=self.dist.is_main,
                                  tensorboard=c.tensorboard)
        self.progress = Progress(c.progress and self.dist.is_main, total, c.log_every, self.step)
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
        return self._summary(reason)

    def evaluate(self, split: str = "valid") -> dict[str, float]:
        """Item-weighted mean loss over ``task.batches(split, 0)`` plus the task's metrics.

        Runs without gradients in eval mode, on NT-ASGD's averaged weights once
        averaging has started; under DDP each rank evaluates its shard and the
        sums are combined.
        """
        wrapped, self.task.model = self.task.model, self.model  # no DDP collectives in eval
        was_training = self.model.training
        self.model.eval()
        total, items, state = 0.0, 0, None
        try:
            with torch.no_grad(), self._averaged():
                for batch in self._batches(split, 0):
                    with autocast(self.config.precision, self.device):
                        result = self.task.step(batch, state)
                    loss = _scalar_loss(result)
                    total += float(loss) * result.items  # Σ_b loss_b · n_b
                    items += result.items
                    state = detach_state(result.state) if self.config.carry_state else None
        finally:
            self.model.train(was_training)
            self.task.model = wrapped
        total, items = all_reduce_sum([total, float(items)], self.dist, self.device)
        if items == 0:
            raise ValueError(f"task.batches({split!r}, 0) gave no items to evaluate")
        mean = total / items  # item-weighted mean loss
        return {"loss": mean, **self.task.eval_metrics(mean)}

    # ------------------------------------------------------------------ loop
    def _loop(self, stop: GracefulStop) -> str:
        c = self.config
        last_eval_step = self.step if self.valid.last is not None else -1
        while self.epoch < c.epochs:
            batches = self._train_batches(self.epoch)
            if self.batch_index == 0:
                self.state = None  # a new epoch: a fresh state
                self.window.reset()
            while self.batch_index < len(batches):
                if c.max_steps is not None and self.step >= c.max_steps:
                    return self._finish("max_steps", last_eval_step)
                self._train_step(batches, stop)
                if self.batch_index == len(batches):  # epoch done: the position is the next one
                    self.epoch, self.batch_index = self.epoch + 1, 0
                    self.state = None
                    self.window.reset()
                    epoch_end = True
                else:
                    epoch_end = False
                evaluate = (self._has_valid and (
                    (c.eval_every is not None and self.step % c.eval_every == 0)
                    or (c.eval_every is None and epoch_end)))
                early = False
                if evaluate:
                    early = self._eval_and_track()
                    last_eval_step = self.step
                stopping = self._stop_now if self.dist.enabled else bool(stop.requested)
                if stopping or early or (
                        c.checkpoint_every is not None and self.step % c.checkpoint_every == 0
                ) or (c.checkpoint_every is None and (evaluate or epoch_end)):
                    self.files.save_step()
                if stopping:
                    self.progress.message(f"stopped by {stop.requested} after step {self.step}; "
                                          f"checkpoint {self.files.last_checkpoint}")
                    return f"signal:{stop.requested}"
                if early:
                    return "early_stopping"
                if epoch_end:
                    break
        return self._finish("completed", last_eval_step)

    def _finish(self, reason: str, last_eval_step: int) -> str:
        """The end of the run: a last evaluation and checkpoint unless they just happened."""
        evaluated = False
        if self._has_valid and last_eval_step != self.step:
            self._eval_and_track()
            evaluated = True
        if evaluated or self.files.saved_step != self.step:
            self.files.save_step()
        return reason

    def _train_step(self, batches: Sequence[Any], stop: GracefulStop) -> None:
        c = self.config
        self.model.train()
        self.schedule.before_step(self.step + 1)
        lr = self.schedule.lr
        t0 = time.perf_counter()
        self.optimizer.zero_grad(set_to_none=True)
        if self.dist.enabled:
            self.task.model.forward_calls = 0  # did the task go through DDP's forward?
        with autocast(c.precision, self.device):
            result, next_anchor = self.window.forward(self.task.step, batches, self.batch_index,
                                                      self.state)
        loss = _scalar_loss(result)
        loss_value = float(loss.detach())
        flags = all_reduce_sum([float(not math.isfinite(loss_value)), float(bool(stop.requested)),
                                loss_value * result.items, float(result.items)],
                               self.dist, self.device)
        if self.dist.enabled:  # decide on the value every rank saw, so all stop at one step
            self._stop_now = bool(flags[1])
            if flags[1] and not stop.requested:
                stop.requested = "SIGTERM (another rank)"
        self._step_epoch = self.epoch  # the epoch this step belongs to (for the logs)
        record: dict[str, Any] = {"step": self.step + 1, "epoch": self.epoch, "split": "train"}
        if flags[0]:
            self._nonfinite("loss", loss_value, record)
            return
        if not loss.requires_grad:
            raise ValueError("StepResult.loss has no autograd graph: in training the loss must "
                             "be computed from the model's parameters (not detached, not under "
                             "torch.no_grad)")
        (self.scaler.scale(loss) if self.scaler else loss).backward()
        if self.dist.enabled and self.task.model.forward_calls == 0:
            self._warn_bypass()
            average_gradients(self.model, self.dist)  # DDP's hooks were bypassed
        if self.scaler is not None:
            self.scaler.unscale_(self.optimizer)
        per_param = parameter_grad_norms(self.model) if (self.step + 1) % c.log_every == 0 else {}
        grad_norm = clip_gradients(self.model.parameters(), c.clip_value, c.clip_norm)  # pre-clip
        if not math.isfinite(grad_norm) and self.scaler is None:
            self._nonfinite("grad_norm", grad_norm, record)
            return
        if self.scaler is not None:
            self.scaler.step(self.optimizer)  # skips the update itself if a grad is inf/nan
            self.scaler.update()
        else:
            self.optimizer.step()
        self.step += 1
        self._advance(result, next_anchor)
        elapsed = time.perf_counter() - t0
        global_loss = flags[2] / max(flags[3], 1e-12)
        record.update(loss=global_loss, lr=lr, grad_norm=grad_norm, items=int(flags[3]),
                      items_per_s=flags[3] / max(elapsed, 1e-9),
                      wall_time=self.files.wall_time(), **_floats(result.metrics), **per_param)
        if math.isfinite(grad_norm) and self.watch.is_exploding(grad_norm):
            record["exploding"] = True
            log.warning("step %d: gradient norm %.3g is over %g x the running median %.3g",
                        self.step, grad_norm, c.explode_factor, self.watch.median())
        if math.isfinite(grad_norm):  # (fp16: the scaler skipped this step)
            self.watch.add(grad_norm)
        for callback in self.callbacks:
            hook = getattr(callback, "on_step_end", None)
            extra = hook(self, self.step, result) if hook else None
            if extra:
                record.update(_floats(extra))
        self.metrics.write(record)
        if self.step % c.log_every == 0:
            self.metrics.flush()
        shown = {"loss": global_loss, **_first_metric(self.task, global_loss),
                 "items/s": record["items_per_s"], "epoch": self.epoch}
        self.progress.update(self.step, shown)

    def _advance(self, result: StepResult, next_anchor: Any) -> None:
        """Move to the next batch; carry the state with its graph cut (truncated BPTT)."""
        c = self.config
        self.window.advance(self.batch_index, next_anchor)  # TBPTT(k1, k2): slide the window
        self.state = detach_state(result.state) if c.carry_state else None  # keep the values,
        # cut the graph at the chunk edge: the next step backpropagates only through its chunk
        self.batch_index += 1

    def _warn_bypass(self) -> None:
        if not getattr(self, "_bypass_warned", False):
            self._bypass_warned = True
            log.warning("task.step never called self.model(...), so DDP could not average the "
                        "gradients during backward; the trainer averages them after backward "
                        "instead (correct, but without overlapping communication)")

    def _nonfinite(self, what: str, value: float, record: dict[str, Any]) -> None:
        where = f"step {self.step + 1} (epoch {self.epoch}, batch {self.batch_index})"
        self.metrics.write({**record, what: value, "nonfinite": True})
        self.metrics.flush()
        if self.config.nonfinite == "skip":
            log.warning("non-finite %s (%s) at %s: step skipped, carried state reset",
                        what, value, where)
            self.optimizer.zero_grad(set_to_none=True)
            self.skipped_steps += 1
            self.state = None
            self.window.reset()
            self.batch_index += 1
            self.step += 1
            return
        good = self.files.last_checkpoint or "none yet"
        raise NonFiniteLossError(
            f"non-finite {what} ({value}) at {where}; the model was not updated. "
            f"Last good checkpoint: {good}. Lower the learning rate or set train.clip_norm "
            "and resume from it, or set train.nonfinite = 'skip'"
        )

    def _eval_and_track(self) -> bool:
        """Evaluate on valid, log, track the best, step schedules; True = stop early."""
        c = self.config
        metrics = self.evaluate("valid")
        improved = self.valid.update(self.step, metrics)
        record = {"step": self.step, "epoch": self._step_epoch, "split": "valid",
                  **_floats(metrics),
                  "best": improved, "wall_time": self.files.wall_time()}
        self.metrics.write(record)
        self.metrics.flush()
        shown = " ".join(f"{k}={v:.4g}" for k, v in metrics.items())
        self.progress.message(f"valid step {self.step}: {shown}")
        if improved:
            self.files.save_best(metrics)
        self.schedule.after_eval(improved)
        if isinstance(self.optimizer, NTASGD) and not self.optimizer.averaging and \
                should_trigger_ntasgd(self.valid.history, c.ntasgd_nonmono):
            log.info("NT-ASGD: validation loss stopped improving at step %d; averaging from "
                     "now on", self.step)
            self.optimizer.trigger()
        for callback in self.callbacks:
            hook = getattr(callback, "on_eval_end", None)
            if hook:
                hook(self, metrics)
        return self.valid.patience_exhausted(c.patience)

    # ------------------------------------------------------------------ helpers
    def _averaged(self) -> Any:
        if isinstance(self.optimizer, NTASGD):
            return self.optimizer.averaged_weights()
        import contextlib

        return contextlib.nullcontext()

    def _batches(self, split: str, epoch: int) -> Sequence[Any]:
        batches = self.task.batches(split, epoch)
        if not (hasattr(batches, "__len__") and hasattr(batches, "__getitem__")):
            raise TypeError(f"task.batches({split!r}, {epoch}) must return an indexable "
                            f"sequence (so a resumed run can start at batch i), got "
                            f"{type(batches).__name__}")
        if self.dist.enabled and not hasattr(self.task, "set_shard"):
            return ShardedBatches(batches, self.dist.rank, self.dist.world_size)
        return batches

    def _train_batches(self, epoch: int) -> Sequence[Any]:
        batches = self._batches("train", epoch)
        if self.dist.enabled:
            counts = all_gather_objects(len(batches), self.dist)
            if len(set(counts)) != 1:
                raise ValueError("every rank needs the same number of training batches per "
                                 f"epoch (DDP steps in lockstep); got {counts} for epoch {epoch}")
        return batches

    def _check_k2(self) -> int:
        k2 = self.config.bptt_k2
        if k2 is None:
            return 1
        k1 = getattr(self.task, "chunk_length", None)
        if not isinstance(k1, int) or k1 <= 0:
            raise ValueError("train.bptt_k2 needs the task to announce its chunk length k1 as "
                             f"an int attribute `chunk_length`, got {k1!r}")
        if k2 % k1 != 0:
            raise ValueError(f"train.bptt_k2 must be a multiple of the chunk length k1={k1}, "
                             f"got {k2}")
        return k2 // k1

    def _summary(self, reason: str) -> dict[str, Any]:
        return {
            "stopped": reason,
            "steps": self.step,
            "epochs": self.epoch,
            "skipped_steps": self.skipped_steps,
            "best_valid_loss": None if self.valid.best_step is None else self.valid.best,
            "best_step": self.valid.best_step,
            "valid": self.valid.last,
            "run_dir": str(self.run_dir),
            "last_checkpoint": None if self.files.last_checkpoint is None
            else str(self.files.last_checkpoint),
        }


def _scalar_loss(result: Any) -> Tensor:
    if not isinstance(result, StepResult):
        raise TypeError(f"task.step must return a StepResult, got {type(result).__name__}")
    loss = result.loss
    if isinstance(result.items, bool) or not isinstance(result.items, int) or result.items <= 0:
        raise ValueError(f"StepResult.items: expected a positive int, got {result.items!r}")
    if not isinstance(loss, Tensor) or loss.dim() != 0:
        shape = tuple(loss.shape) if isinstance(loss, Tensor) else type(loss).__name__
        raise ValueError(f"StepResult.loss: expected a scalar tensor, got {shape}")
    return loss


def _floats(values: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in values.items():
        if isinstance(value, Tensor):
            value = float(value.detach())
        if isinstance(value, (int, float, bool)):
            out[key] = value
    return out


def _first_metric(task: Task, loss: float) -> dict[str, float]:
    try:
        metrics = task.eval_metrics(loss)
    except (OverflowError, ValueError):
        return {}
    return dict(list(metrics.items())[:1])
