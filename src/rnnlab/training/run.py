"""The run directory of a trainer: config.toml, checkpoints (save, restore), plots.

``RunFiles`` is the trainer's bookkeeping: what goes into a checkpoint so a
resumed run continues *exactly* (weights, optimizer and scheduler state, the
RNG states of every rank, the data position (epoch, batch index), the carried
recurrent state, the validation history), and how it is read back. Under DDP
every rank's RNG and carried state are gathered and rank 0 alone writes.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from rnnlab.config import to_dict
from rnnlab.training.checkpoint import (
    BEST,
    CHECKPOINTS,
    CheckpointError,
    atomic_write_text,
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
from rnnlab.training.distributed import all_gather_objects, barrier
from rnnlab.training.metrics import MetricsLog
from rnnlab.training.plots import plot_learning_curves
from rnnlab.training.rng import rng_restore, rng_snapshot
from rnnlab.training.state import flatten_state, unflatten_state

if TYPE_CHECKING:
    from rnnlab.training.trainer import Trainer

log = logging.getLogger("rnnlab.training")


class ShardedBatches(Sequence):
    """Rank r's share of a batch list: batches r, r + W, r + 2W, ... (equal counts per rank).

    The default sharding for tasks without ``set_shard``: fine for independent
    batches (classification, forecasting windows), wrong for a carried stream.
    """

    def __init__(self, batches: Sequence[Any], rank: int, world_size: int) -> None:
        self.batches, self.rank, self.world_size = batches, rank, world_size

    def __len__(self) -> int:
        return len(self.batches) // self.world_size

    def __getitem__(self, i: int) -> Any:
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self.batches[self.rank + i * self.world_size]


def _drop_none(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _drop_none(v) for k, v in data.items() if v is not None}
    if isinstance(data, (list, tuple)):
        return [_drop_none(v) for v in data]
    return data


class RunFiles:
    """Reads and writes ``trainer.run_dir``; only rank 0 writes."""

    def __init__(self, trainer: Trainer, extra_config: dict[str, Any]) -> None:
        self.t = trainer
        self.run_dir = trainer.run_dir
        self.main = trainer.dist.is_main
        self.last_checkpoint: Path | None = None
        self.saved_step: int | None = None  # step of the newest checkpoint written or restored
        self.restored_schedule: dict[str, Any] | None = None
        self._t0 = time.perf_counter()
        self._wall_offset = 0.0  # seconds spent before a resume
        self.extra_config = extra_config  # the task's sections (model, data, vocabulary path)
        if self.main:
            import tomli_w

            self.run_dir.mkdir(parents=True, exist_ok=True)
            full = _drop_none({**extra_config, "train": to_dict(trainer.config)})  # TOML: no null
            atomic_write_text(self.run_dir / "config.toml", tomli_w.dumps(full))

    def wall_time(self) -> float:
        return self._wall_offset + time.perf_counter() - self._t0

    # ------------------------------------------------------------------ start
    def _clean_partial(self) -> None:
        """Remove half-written checkpoint directories left by a crash (``.tmp-*``, ``.old-*``)."""
        root = self.run_dir / CHECKPOINTS
        if self.main and root.is_dir():
            for entry in root.iterdir():
                if entry.name.startswith((".tmp-", ".old-")) and entry.is_dir():
                    log.warning("removing %s, left by an interrupted checkpoint write", entry)
                    shutil.rmtree(entry, ignore_errors=True)

    def start_fresh(self) -> None:
        self._clean_partial()
        if step_checkpoints(self.run_dir):
            raise ValueError(
                f"run directory {self.run_dir} already has checkpoints: resume it "
                "(`rnnlab train --resume`, Trainer.resume, fit(resume=True)) or use a new one"
            )
        if self.main:
            MetricsLog.truncate(self.run_dir, -1)  # leftovers of a run that died before saving

    def restore_latest(self) -> None:
        self._clean_partial()
        choice: tuple[Path | None, str | None] = (None, None)
        if self.main:
            try:
                choice = (latest_good_checkpoint(self.run_dir), None)
            except CheckpointError as err:
                choice = (None, str(err))
        if self.t.dist.enabled:  # every rank resumes from the checkpoint rank 0 chose
            choice = all_gather_objects(choice, self.t.dist)[0]
        path, error = choice
        if error is not None:
            raise CheckpointError(error)
        if path is None:
            log.warning("nothing to resume in %s (no checkpoint yet): starting fresh",
                        self.run_dir)
            from rnnlab.training.rng import seed_everything

            self.start_fresh()
            seed_everything(self.t.config.seed + self.t.dist.rank)
            return
        self.restore(path)

    def restore(self, path: Path) -> None:
        t = self.t
        meta = verify_checkpoint(path)
        load_model_weights(t.model, path)
        opt_tensors = load_state_tensors(path, "optimizer.safetensors")
        try:
            t.optimizer.load_state_dict(optimizer_from_flat(opt_tensors, meta["optimizer"]))
        except (ValueError, KeyError) as err:
            raise CheckpointError(f"{path}: optimizer state does not fit "
                                  f"train.optimizer = {t.config.optimizer!r}: {err}") from None
        if t.scaler is not None and meta.get("scaler"):
            t.scaler.load_state_dict(meta["scaler"])
        t.step, t.epoch, t.batch_index = meta["step"], meta["epoch"], meta["batch_index"]
        t.window.indices = list(meta["window"])
        t.valid.load_state_dict(meta["validation"])
        t.watch.norms.clear()
        t.watch.norms.extend(meta["grad_norms"])
        t.skipped_steps = meta["skipped_steps"]
        self.restored_schedule = meta["schedule"]
        self._wall_offset = meta["wall_time"]
        ranks = meta["ranks"]
        tensors = load_state_tensors(path, "state.safetensors")
        r = t.dist.rank
        if len(ranks) == t.dist.world_size:
            mine = {k.split(".", 1)[1]: v for k, v in tensors.items() if k.startswith(f"rank{r}.")}
            rng_restore(ranks[r]["rng"], {k[4:]: v for k, v in mine.items()
                                          if k.startswith("rng.")}, t.device)
            t.state = unflatten_state(ranks[r]["state"], mine, t.device)
            t.window.anchor = unflatten_state(ranks[r]["anchor"], mine, t.device)
        else:
            if any(rk["state"] is not None or rk["anchor"] is not None for rk in ranks):
                raise CheckpointError(
                    f"{path} was written by {len(ranks)} process(es) with a carried state; "
                    f"resume it with the same number of processes, not {t.dist.world_size}")
            log.warning("resuming a %d-process run with %d processes: RNG streams reseeded, "
                        "the continuation is not bitwise identical", len(ranks),
                        t.dist.world_size)
            torch.manual_seed(t.config.seed + 7919 * t.step + r)
        if self.main:
            MetricsLog.truncate(self.run_dir, t.step)
        self.last_checkpoint = path
        self.saved_step = t.step
        log.info("resumed from %s (step %d, epoch %d, batch %d)", path, t.step, t.epoch,
                 t.batch_index)

    # ------------------------------------------------------------------ save
    def _rank_payload(self) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
        t = self.t
        rng_plain, rng_tensors = rng_snapshot(t.device)
        state_tensors, state_skel = flatten_state(t.state, "state")
        anchor_tensors, anchor_skel = flatten_state(t.window.anchor, "anchor")
        tensors = {**state_tensors, **anchor_tensors,
                   **{f"rng.{k}": v.clone() for k, v in rng_tensors.items()}}
        return {"rng": rng_plain, "state": state_skel, "anchor": anchor_skel}, tensors

    def save_step(self) -> Path | None:
        """Checkpoint the whole training state at the current step (rank 0 writes)."""
        t = self.t
        gathered = all_gather_objects(self._rank_payload(), t.dist)
        self.saved_step = t.step
        if not self.main:
            self.last_checkpoint = self.run_dir / CHECKPOINTS / step_dir_name(t.step)
            barrier(t.dist)  # wait for rank 0 to finish writing
            return None
        opt_tensors, opt_plain = optimizer_to_flat(t.optimizer.state_dict())
        state_tensors = {f"rank{r}.{k}": v for r, (_, ts) in enumerate(gathered)
                         for k, v in ts.items()}
        meta = {
            "kind": "step",
            "step": t.step, "epoch": t.epoch, "batch_index": t.batch_index,
            "window": t.window.indices,
            "validation": t.valid.state_dict(),
            "grad_norms": list(t.watch.norms), "skipped_steps": t.skipped_steps,
            "schedule": t.schedule.state_dict() if t.schedule else None,
            "optimizer": opt_plain,
            "scaler": t.scaler.state_dict() if t.scaler is not None else None,
            "ranks": [plain for plain, _ in gathered], "world_size": t.dist.world_size,
            "config": to_dict(t.config), "task_config": self.extra_config,
            "wall_time": self.wall_time(),
            "torch_version": torch.__version__,
        }
        path = self.run_dir / CHECKPOINTS / step_dir_name(t.step)
        write_checkpoint(path, t.model, meta, opt_tensors, state_tensors)
        self.last_checkpoint = path
        prune_checkpoints(self.run_dir, t.config.keep_last, protect=path)
        t.metrics.flush()
        barrier(t.dist)  # the others wait until the checkpoint is on disk
        return path

    def save_best(self, metrics: dict[str, float]) -> None:
        """Weights that gave the best validation loss (NT-ASGD: the averaged ones)."""
        t = self.t
        if not self.main:
            return
        meta = {"kind": "best", "step": t.step, "epoch": t.epoch, "valid": metrics,
                "config": to_dict(t.config), "task_config": self.extra_config}
        with t._averaged():
            write_checkpoint(self.run_dir / CHECKPOINTS / BEST, t.model, meta)

    def plot(self) -> None:
        try:
            plot_learning_curves(self.run_dir)
        except Exception as err:  # a plot must never fail a finished run
            log.warning("could not plot learning curves: %s", err)
