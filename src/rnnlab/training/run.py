"""The run directory of a trainer: config.toml, metrics.jsonl, checkpoints, plots.

``RunFiles`` decides how a run starts (fresh, or from the newest good
checkpoint) *before* anything is written, then writes; it checkpoints exactly the
``TrainingState`` it is handed plus the model, optimizer and GradScaler states,
the RNG states of every rank and the config, and restores them, so a resumed
run continues *exactly*. Under DDP every rank's RNG and carried state are
gathered and rank 0 alone writes.

Order of a checkpoint at step N: metrics.jsonl is flushed and fsynced up to N,
then the checkpoint directory is renamed into place, so a crash at any point
leaves a log that holds every record of the newest visible checkpoint.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.optim import Optimizer

from rnnlab.config import to_dict
from rnnlab.training.checkpoint import (
    BEST,
    CHECKPOINTS,
    CheckpointError,
    check_finite,
    latest_good_checkpoint,
    load_model_weights,
    load_state_tensors,
    optimizer_from_flat,
    optimizer_to_flat,
    prune_checkpoints,
    step_checkpoints,
    step_dir_name,
    verify_checkpoint,
    write_checkpoint,
)
from rnnlab.training.config import TrainConfig, resume_changes
from rnnlab.training.distributed import DistInfo, all_gather_objects, barrier
from rnnlab.training.files import atomic_write_text, check_writable
from rnnlab.training.metrics import METRICS, MetricsLog, records_up_to
from rnnlab.training.optim import load_optimizer_state
from rnnlab.training.plots import plot_learning_curves
from rnnlab.training.rng import rng_restore, rng_snapshot
from rnnlab.training.training_state import TrainingState

log = logging.getLogger("rnnlab.training")


def _drop_none(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _drop_none(v) for k, v in data.items() if v is not None}
    if isinstance(data, (list, tuple)):
        return [_drop_none(v) for v in data]
    return data


class RunFiles:
    """Reads and writes ``run_dir`` for one trainer; only rank 0 writes.

    ``model``, ``optimizer`` and ``scaler`` (None without fp16) are what a
    checkpoint saves beside the ``TrainingState``.
    """

    def __init__(self, run_dir: Path, config: TrainConfig, extra_config: dict[str, Any],
                 dist: DistInfo, model: nn.Module, optimizer: Optimizer, scaler: Any) -> None:
        self.run_dir = Path(run_dir)
        self.config = config
        self.extra_config = extra_config  # the task's sections (model, data, vocabulary path)
        self.dist = dist
        self.main = dist.is_main
        self.model, self.optimizer, self.scaler = model, optimizer, scaler
        self.last_checkpoint: Path | None = None
        self.saved_step: int | None = None  # step of the newest checkpoint written or restored
        self.metrics: MetricsLog | None = None

    # ------------------------------------------------------------------ start (no writes)
    def choose(self, resume: bool) -> Path | None:
        """The checkpoint to resume from, or None to start fresh; reads, never writes.

        A fresh start is refused where checkpoints exist (resume them instead).
        """
        if resume:
            choice: tuple[str | None, str | None] = (None, None)
            if self.main:
                try:
                    found = latest_good_checkpoint(self.run_dir)
                    choice = (None if found is None else str(found), None)
                except CheckpointError as err:
                    choice = (None, str(err))
            if self.dist.enabled:  # every rank resumes from the checkpoint rank 0 chose
                choice = all_gather_objects(choice, self.dist)[0]
            path, error = choice
            if error is not None:
                raise CheckpointError(error)
            if path is not None:
                return Path(path)
            log.warning("nothing to resume in %s (no checkpoint yet): starting fresh",
                        self.run_dir)
        if step_checkpoints(self.run_dir):
            raise ValueError(
                f"run directory {self.run_dir} already has checkpoints: resume it "
                "(`rnnlab train --resume`, Trainer.resume, fit(resume=True)) or use a new one"
            )
        return None

    def restore(self, path: Path, state: TrainingState, device: torch.device
                ) -> dict[str, list[Any]]:
        """Load checkpoint ``path`` into ``state``, the model, optimizer and scaler; returns
        the ``[train]`` fields the current config changes (``{field: [old, new]}``).

        The config is checked first: a change that cannot be honoured is refused
        before anything is loaded. Nothing is written.
        """
        meta = verify_checkpoint(path)
        changed = resume_changes(meta["config"], self.config)
        load_model_weights(self.model, path)
        opt_tensors = load_state_tensors(path, "optimizer.safetensors")
        try:
            load_optimizer_state(self.optimizer, optimizer_from_flat(opt_tensors,
                                                                     meta["optimizer"]))
        except (ValueError, KeyError) as err:
            raise CheckpointError(f"{path}: optimizer state does not fit "
                                  f"train.optimizer = {self.config.optimizer!r}: {err}") from None
        if self.scaler is not None and meta.get("scaler"):
            self.scaler.load_state_dict(meta["scaler"])
        state.load_shared(meta)
        self._restore_rank(path, meta, state, device)
        self.last_checkpoint, self.saved_step = path, state.step
        log.info("resumed from %s (step %d, epoch %d, batch %d)", path, state.step, state.epoch,
                 state.batch_index)
        return changed

    def _restore_rank(self, path: Path, meta: dict[str, Any], state: TrainingState,
                      device: torch.device) -> None:
        ranks, r, world = meta["ranks"], self.dist.rank, self.dist.world_size
        if len(ranks) == world:
            tensors = load_state_tensors(path, "state.safetensors")
            mine = {k.split(".", 1)[1]: v for k, v in tensors.items() if k.startswith(f"rank{r}.")}
            rng_restore(ranks[r]["rng"], {k[4:]: v for k, v in mine.items()
                                          if k.startswith("rng.")}, device)
            state.load_rank_part(ranks[r], mine, device)
            return
        if any(rank["state"] is not None or rank["anchor"] is not None for rank in ranks):
            raise CheckpointError(
                f"{path} was written by {len(ranks)} process(es) with a carried state; "
                f"resume it with the same number of processes, not {world}")
        log.warning("resuming a %d-process run with %d processes: RNG streams reseeded, "
                    "the continuation is not bitwise identical", len(ranks), world)
        torch.manual_seed(self.config.seed + 7919 * state.step + r)

    # ------------------------------------------------------------------ the first writes
    def begin(self, resumed_step: int | None, changed: dict[str, list[Any]]) -> MetricsLog:
        """After every check passed: write config.toml, clean crash debris, cut the log
        back to the resumed step (or empty it for a fresh run) and record the ``[train]``
        fields the resumed run ``changed``; returns the open log."""
        if self.main:
            check_writable(self.run_dir)
            kept = "" if resumed_step is None else records_up_to(self.run_dir, resumed_step)
            self.run_dir.mkdir(parents=True, exist_ok=True)
            import tomli_w

            full = _drop_none({**self.extra_config, "train": to_dict(self.config)})  # no null
            atomic_write_text(self.run_dir / "config.toml", tomli_w.dumps(full))
            self._clean_partial()
            atomic_write_text(self.run_dir / METRICS, kept)
        self.metrics = MetricsLog(self.run_dir, enabled=self.main,
                                  tensorboard=self.config.tensorboard)
        if changed:
            log.info("resumed at step %d with changed settings: %s", resumed_step, ", ".join(
                f"train.{k} {old!r} -> {new!r}" for k, (old, new) in changed.items()))
            self.metrics.write({"step": resumed_step, "split": "resume", "changed": changed})
        return self.metrics

    def _clean_partial(self) -> None:
        """Remove half-written checkpoint directories left by a crash (``.tmp-*``, ``.old-*``)."""
        root = self.run_dir / CHECKPOINTS
        if root.is_dir():
            for entry in root.iterdir():
                if entry.name.startswith((".tmp-", ".old-")) and entry.is_dir():
                    log.warning("removing %s, left by an interrupted checkpoint write", entry)
                    shutil.rmtree(entry, ignore_errors=True)

    # ------------------------------------------------------------------ save
    def save_step(self, state: TrainingState, device: torch.device) -> Path | None:
        """Checkpoint the whole training state at ``state.step`` (rank 0 writes).

        Weights with NaN/inf are refused on every rank (``CheckpointError`` naming
        the tensor); the newest good checkpoint then stays the newest.
        """
        where = (f"not saving step {state.step}; the newest good checkpoint stays "
                 f"{self.last_checkpoint or 'none yet'}")
        check_finite(self.model.state_dict(), where)
        rng_plain, rng_tensors = rng_snapshot(device)
        plain, tensors = state.rank_part()
        tensors.update({f"rng.{k}": v.clone() for k, v in rng_tensors.items()})
        gathered = all_gather_objects(({**plain, "rng": rng_plain}, tensors), self.dist)
        self.saved_step = state.step
        path = self.run_dir / CHECKPOINTS / step_dir_name(state.step)
        if not self.main:
            self.last_checkpoint = path
            barrier(self.dist)  # wait for rank 0 to finish writing
            return None
        opt_tensors, opt_plain = optimizer_to_flat(self.optimizer.state_dict())
        state_tensors = {f"rank{r}.{k}": v for r, (_, ts) in enumerate(gathered)
                         for k, v in ts.items()}
        meta = {
            "kind": "step", **state.shared(),
            "optimizer": opt_plain,
            "scaler": self.scaler.state_dict() if self.scaler is not None else None,
            "ranks": [p for p, _ in gathered], "world_size": self.dist.world_size,
            "config": to_dict(self.config), "task_config": self.extra_config,
            "torch_version": torch.__version__,
        }
        self.metrics.sync()  # every record up to this step is on disk before the checkpoint is
        write_checkpoint(path, self.model, meta, opt_tensors, state_tensors)
        self.last_checkpoint = path
        prune_checkpoints(self.run_dir, self.config.keep_last, protect=path)
        barrier(self.dist)  # the others wait until the checkpoint is on disk
        return path

    def save_best(self, state: TrainingState, metrics: dict[str, float]) -> None:
        """Weights that gave the best validation loss (call with NT-ASGD's averaged ones in
        place); refused like ``save_step`` when they hold NaN/inf."""
        check_finite(self.model.state_dict(), f"not saving the best weights of step {state.step}")
        if not self.main:
            return
        meta = {"kind": "best", "step": state.step, "epoch": state.step_epoch, "valid": metrics,
                "config": to_dict(self.config), "task_config": self.extra_config}
        write_checkpoint(self.run_dir / CHECKPOINTS / BEST, self.model, meta)

    def plot(self) -> None:
        try:
            plot_learning_curves(self.run_dir)
        except Exception as err:  # a plot must never fail a finished run
            log.warning("could not plot learning curves: %s", err)
