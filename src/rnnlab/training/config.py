"""``TrainConfig``: every knob of the trainer, one typed frozen dataclass.

It is the ``[train]`` section of a run's ``config.toml``; the task's own
sections sit beside it. ``validate()`` runs in ``__post_init__`` so a typo or
an impossible combination fails when the config is built, not an hour into a run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from rnnlab.config import to_dict

OPTIMIZERS = ("sgd", "adam", "adamw", "ntasgd")
SCHEDULES = ("constant", "plateau", "warmup_cosine")
PRECISIONS = ("fp32", "bf16", "fp16")
DEVICES = ("auto", "cpu", "cuda")
NONFINITE = ("stop", "skip")

# [train] fields a resumed run may NOT change, and why: each would make the checkpoint it
# resumes from inconsistent with what runs next, or make config.toml untrue about the steps
# already taken. Every other field may change on resume (lr, weight_decay, momentum, betas,
# clipping, schedule settings, epochs, max_steps, time budgets, patience, logging, device, ...):
# the new value is used from the first resumed step on and recorded in metrics.jsonl.
FIXED_ON_RESUME = {
    "optimizer": "the checkpoint holds this optimizer's state (Adam moments, momentum "
                 "buffers, NT-ASGD averages)",
    "seed": "the RNG states are restored from the checkpoint, so a new seed would be "
            "recorded but never used",
    "carry_state": "the checkpoint's carried recurrent state (or its absence) belongs to it",
    "bptt_k2": "the checkpoint's TBPTT replay window (its start and anchor state) is sized by it",
    "precision": "the saved optimizer and GradScaler states come from these numerics",
    "deterministic": "the steps already taken ran with (or without) deterministic kernels",
    "explode_factor": "the `exploding` flags already in metrics.jsonl were computed with it",
    "monitor": "the best checkpoint and the patience count were chosen by it",
    "monitor_mode": "the best checkpoint and the patience count were chosen by it",
}


@dataclass(frozen=True)
class TrainConfig:
    """How to train; what to train is the task's business."""

    # --- length of the run
    epochs: int = 10  # passes over the task's "train" batches
    max_steps: int | None = None  # stop after this many optimizer steps (None: run all epochs)
    max_seconds: float | None = None  # stop cleanly (last evaluation, checkpoint) once this many
    # seconds of wall clock have passed since the run began, across resumes (None: no limit)
    max_cpu_seconds: float | None = None  # the same for the CPU seconds the training process
    # used: the fair budget on a machine shared with other jobs (None: no limit)

    # --- optimizer
    optimizer: str = "adam"  # "sgd" | "adam" | "adamw" | "ntasgd" (Merity et al. 2017)
    lr: float = 1e-3  # peak learning rate (SGD on word LMs classically uses 20)
    weight_decay: float = 0.0  # L2 (sgd, adam, ntasgd) or decoupled decay (adamw)
    momentum: float = 0.0  # SGD momentum; 0 is the classic LM recipe
    betas: tuple[float, float] = (0.9, 0.999)  # Adam/AdamW moment decay rates
    ntasgd_nonmono: int = 5  # NT-ASGD: average once valid loss is worse than the best of all
    # evaluations except the last `ntasgd_nonmono` (Merity et al. 2017 use n = 5)

    # --- gradient clipping, in one place (clipping.clip_gradients); pre-clip norm always logged
    clip_norm: float | None = None  # rescale the global L2 norm to at most this (None: off)
    clip_value: float | None = None  # clamp each gradient element to [-v, v] (None: off)
    nonfinite: str = "stop"  # NaN/inf loss or grad norm: "stop" the run, or "skip" the step
    explode_factor: float = 10.0  # flag a step whose grad norm > factor x running median

    # --- learning-rate schedule and early stopping
    schedule: str = "constant"  # "constant" | "plateau" | "warmup_cosine"
    plateau_factor: float = 4.0  # plateau: lr /= factor when valid loss stops improving
    plateau_patience: int = 0  # plateau: evaluations without improvement before dividing
    warmup_steps: int = 0  # warmup_cosine: linear warmup from 0 to lr over these steps
    min_lr: float = 0.0  # warmup_cosine: floor of the cosine decay
    patience: int | None = None  # early stopping: stop once more than `patience` evaluations
    # in a row did not improve the best validation loss (None: off)
    monitor: str = "loss"  # the validation metric that picks the best checkpoint and drives
    # patience and the plateau schedule: "loss" or one the task reports ("accuracy", "f1" …)
    monitor_mode: str = "auto"  # "min" | "max" | "auto" (max for accuracy/F1/BLEU-like names)

    # --- when things happen (in optimizer steps)
    eval_every: int | None = None  # evaluate "valid" every N steps (None: at each epoch end)
    log_every: int = 50  # progress line and per-parameter gradient norms every N steps
    checkpoint_every: int | None = None  # checkpoint every N steps (None: at each evaluation)
    keep_last: int = 3  # step checkpoints kept on disk (the best one is kept apart)

    # --- reproducibility and hardware
    seed: int = 0  # seeds python, numpy and torch before the model is touched
    precision: str = "fp32"  # "fp32" | "bf16" (autocast) | "fp16" (autocast + GradScaler, GPU)
    deterministic: bool = False  # deterministic kernels; see docs/training.md for the guarantee
    device: str = "auto"  # "auto" (cuda if available) | "cpu" | "cuda"

    # --- truncated BPTT across batches
    carry_state: bool = False  # pass the detached final state of batch i into batch i+1
    bptt_k2: int | None = None  # TBPTT(k1, k2): backprop k2 time steps (a multiple of the
    # task's chunk length k1, announced as `task.chunk_length`); None: k2 = k1

    # --- what you see
    progress: bool = True  # tqdm bar on a terminal, log lines otherwise; False: quiet
    tensorboard: bool = False  # also log to run_dir/tensorboard (needs the `tensorboard` extra)

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise ``ValueError`` naming the field, what was expected and what came."""
        _choice("optimizer", self.optimizer, OPTIMIZERS)
        _choice("schedule", self.schedule, SCHEDULES)
        _choice("precision", self.precision, PRECISIONS)
        _choice("device", self.device, DEVICES)
        _choice("nonfinite", self.nonfinite, NONFINITE)
        _positive("epochs", self.epochs, allow_zero=True)
        _positive("lr", self.lr)
        _positive("log_every", self.log_every)
        _positive("keep_last", self.keep_last)
        _positive("plateau_factor", self.plateau_factor)
        _positive("explode_factor", self.explode_factor)
        for name in ("max_steps", "max_seconds", "max_cpu_seconds", "eval_every",
                     "checkpoint_every", "bptt_k2", "clip_norm", "clip_value"):
            value = getattr(self, name)
            if value is not None:
                _positive(name, value)
        for name in ("weight_decay", "momentum", "warmup_steps", "min_lr", "plateau_patience"):
            _positive(name, getattr(self, name), allow_zero=True)
        if self.patience is not None:
            _positive("patience", self.patience, allow_zero=True)
        _choice("monitor_mode", self.monitor_mode, ("auto", "min", "max"))
        if not self.monitor.strip():
            raise ValueError("train.monitor: expected a validation metric name, e.g. 'loss'")
        if not 0 <= self.seed < 2**63:  # torch and numpy take 64-bit seeds; rank and step add
            raise ValueError(f"train.seed: expected an integer in [0, 2**63), got {self.seed}")
        if len(self.betas) != 2 or not all(0.0 <= b < 1.0 for b in self.betas):
            raise ValueError(f"train.betas: expected two numbers in [0, 1), got {self.betas!r}")
        if self.bptt_k2 is not None and not self.carry_state:
            raise ValueError("train.bptt_k2 needs train.carry_state = true (TBPTT carries state)")
        if self.min_lr > self.lr:
            raise ValueError(f"train.min_lr ({self.min_lr}) is above train.lr ({self.lr})")


def resume_changes(old: dict[str, Any], new: TrainConfig) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for each ``[train]`` field ``new`` changes against ``old``
    (the config stored in the checkpoint a run resumes from).

    Raises ``ValueError`` naming the field, its old and new value when a field of
    ``FIXED_ON_RESUME`` changed.
    """
    changed = {k: [old[k], v] for k, v in to_dict(new).items() if k in old and old[k] != v}
    fixed = [k for k in changed if k in FIXED_ON_RESUME]
    if fixed:
        raise ValueError("; ".join(
            f"train.{k} cannot change when resuming (checkpoint {changed[k][0]!r}, now "
            f"{changed[k][1]!r}): {FIXED_ON_RESUME[k]}" for k in fixed)
            + ". Resume with the checkpoint's value, or start a new run directory")
    return changed


def _choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"train.{name}: expected one of {list(choices)}, got {value!r}")


def _positive(name: str, value: float, allow_zero: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"train.{name}: expected a number, got {value!r}")
    if not math.isfinite(value):  # (a TOML file is checked earlier; Python callers here)
        raise ValueError(f"train.{name}: expected a finite number, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"train.{name}: expected a number {bound}, got {value!r}")
