"""``TrainingState``: where a run is and what it remembers, everything a checkpoint keeps
besides the model, optimizer and GradScaler states.

The trainer owns one and changes it as it trains; ``RunFiles`` saves and restores
exactly this object (and the model, optimizer and scaler it is handed), so a run
resumed from a checkpoint continues exactly as the uninterrupted one would.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

from torch import Tensor

from rnnlab.training.explosion import ExplosionWatch
from rnnlab.training.schedule import ScheduleState
from rnnlab.training.state import state_from_tensors, state_to_tensors
from rnnlab.training.tbptt import ChunkWindow
from rnnlab.training.tracking import ValidationTracker


@dataclass
class TrainingState:
    """The position and history of a run (the carried state and window are per rank)."""

    watch: ExplosionWatch  # the recent gradient norms that define "exploding"
    step: int = 0  # optimizer steps done (skipped steps count)
    epoch: int = 0  # the current epoch
    batch_index: int = 0  # the next training batch of the current epoch
    carried: Any = None  # detached recurrent state carried into the next batch
    window: ChunkWindow = field(default_factory=lambda: ChunkWindow(1))  # TBPTT(k1, k2)
    validation: ValidationTracker = field(default_factory=ValidationTracker)
    skipped_steps: int = 0  # steps skipped for a NaN/inf loss (train.nonfinite = "skip")
    schedule: ScheduleState = field(default_factory=ScheduleState)
    wall_offset: float = 0.0  # seconds of training before the last resume
    clock: float = field(default_factory=time.perf_counter)  # when this process started
    cpu_offset: float = 0.0  # CPU seconds of this process's training before the last resume
    cpu_clock: float = field(default_factory=time.process_time)  # CPU time at the start

    @classmethod
    def for_config(cls, config: Any) -> TrainingState:
        """A fresh state for a run of ``config`` (a TrainConfig)."""
        return cls(watch=ExplosionWatch(config.explode_factor),
                   validation=ValidationTracker(config.monitor, config.monitor_mode))

    def wall_time(self) -> float:
        """Seconds of training so far, across resumes."""
        return self.wall_offset + time.perf_counter() - self.clock

    def cpu_time(self) -> float:
        """CPU seconds this process (all its threads) spent training so far, across resumes:
        the fair clock on a shared machine, where wall time depends on the other jobs."""
        return self.cpu_offset + time.process_time() - self.cpu_clock

    def out_of_time(self, max_seconds: float | None, max_cpu_seconds: float | None) -> bool:
        """Has the wall-clock or the CPU budget been spent?"""
        return ((max_seconds is not None and self.wall_time() >= max_seconds)
                or (max_cpu_seconds is not None and self.cpu_time() >= max_cpu_seconds))

    @property
    def step_epoch(self) -> int:
        """The epoch the newest step belongs to (the position may already be the next one)."""
        return self.epoch - 1 if self.batch_index == 0 and self.step > 0 else self.epoch

    def restart_stream(self, origin: int = 0) -> None:
        """A zero recurrent state from batch ``origin`` on (a new epoch, a skipped step)."""
        self.carried = None
        self.window.reset(origin)

    def advance(self, carried: Any, next_anchor: Any) -> None:
        """After an update: move to the next batch, carrying ``carried`` (already detached)
        and sliding the TBPTT window to ``next_anchor``."""
        self.step += 1
        self.batch_index += 1
        self.carried = carried
        self.window.advance(next_anchor)

    def skip(self) -> None:
        """A NaN/inf step was skipped: count it and restart the stream after its batch."""
        self.skipped_steps += 1
        self.step += 1
        self.batch_index += 1
        self.restart_stream(self.batch_index)

    def next_epoch(self) -> None:
        self.epoch, self.batch_index = self.epoch + 1, 0
        self.restart_stream(0)

    # ------------------------------------------------------------------ checkpoints
    def shared(self) -> dict[str, Any]:
        """The JSON part every rank has in common."""
        return {
            "step": self.step, "epoch": self.epoch, "batch_index": self.batch_index,
            "window": {"origin": self.window.origin},
            "validation": self.validation.state_dict(),
            "grad_norms": list(self.watch.norms), "skipped_steps": self.skipped_steps,
            "schedule": self.schedule.to_dict(), "wall_time": self.wall_time(),
            "cpu_time": self.cpu_time(),
        }

    def load_shared(self, meta: dict[str, Any]) -> None:
        self.step, self.epoch, self.batch_index = meta["step"], meta["epoch"], meta["batch_index"]
        window = meta["window"]
        if isinstance(window, list):  # written before the window kept its origin
            window = {"origin": window[0] if window else self.batch_index}
        self.window.origin = window["origin"]
        self.validation.load_state_dict(meta["validation"])
        self.watch.norms.clear()
        self.watch.norms.extend(meta["grad_norms"])
        self.skipped_steps = meta["skipped_steps"]
        schedule = dict(meta["schedule"])
        if "divisions" not in schedule:  # written before divisions were kept: count them
            schedule["divisions"] = _plateau_divisions(meta)
        self.schedule = ScheduleState.from_dict(schedule)
        self.wall_offset, self.clock = meta["wall_time"], time.perf_counter()
        self.cpu_offset = meta.get("cpu_time", 0.0)  # (checkpoints before it: none)
        self.cpu_clock = time.process_time()

    def rank_part(self) -> tuple[dict[str, Any], dict[str, Tensor]]:
        """This rank's carried state and window anchor: (JSON skeletons, tensors)."""
        carried, carried_skeleton = state_to_tensors(self.carried, "state")
        anchor, anchor_skeleton = state_to_tensors(self.window.anchor, "anchor")
        return {"state": carried_skeleton, "anchor": anchor_skeleton}, {**carried, **anchor}

    def load_rank_part(self, plain: dict[str, Any], tensors: dict[str, Tensor],
                       device: Any) -> None:
        self.carried = state_from_tensors(plain["state"], tensors, device)
        self.window.anchor = state_from_tensors(plain["anchor"], tensors, device)

    def summary(self, reason: str) -> dict[str, Any]:
        """How the run ended: steps, epochs, skipped steps, best and last validation."""
        v = self.validation
        return {
            "stopped": reason,
            "steps": self.step,
            "epochs": self.epoch,
            "skipped_steps": self.skipped_steps,
            "best_valid_loss": None if v.best_metrics is None else v.best_metrics["loss"],
            "best_step": v.best_step,
            "monitor": v.monitor,  # what chose the best checkpoint, and its value there
            "best_valid": None if v.best_step is None else {v.monitor: v.best_value},
            "valid": v.last,
            "wall_time": self.wall_time(),  # seconds since the run began, across resumes
            "cpu_time": self.cpu_time(),  # CPU seconds of this process's training
        }


def _plateau_divisions(meta: dict[str, Any]) -> int:
    """d with lr_saved = lr / factor^d, from a checkpoint's config and optimizer lr."""
    config = meta["config"]
    if config.get("schedule") != "plateau":
        return 0
    group = meta["optimizer"]["param_groups"][0]
    saved = group["lr"] / group.get("lr_scale", 1.0)
    return round(math.log(config["lr"] / saved) / math.log(config["plateau_factor"]))
