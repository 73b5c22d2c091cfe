"""The task-agnostic trainer: BPTT and truncated BPTT, clipping, optimizers and
schedules, checkpoints and exact resume, progress and logs, mixed precision,
multi-process (torchrun / DDP). See docs/training.md.
"""

from rnnlab.training.checkpoint import (
    CheckpointError,
    latest_good_checkpoint,
    load_weights,
    verify_checkpoint,
)
from rnnlab.training.config import TrainConfig
from rnnlab.training.metrics import read_metrics
from rnnlab.training.optim import NTASGD, build_optimizer
from rnnlab.training.plots import plot_learning_curves
from rnnlab.training.rng import seed_everything
from rnnlab.training.state import detach_state
from rnnlab.training.task import StepResult, Task
from rnnlab.training.trainer import NonFiniteLossError, Trainer

__all__ = [
    "NTASGD",
    "CheckpointError",
    "NonFiniteLossError",
    "StepResult",
    "Task",
    "TrainConfig",
    "Trainer",
    "build_optimizer",
    "detach_state",
    "latest_good_checkpoint",
    "load_weights",
    "plot_learning_curves",
    "read_metrics",
    "seed_everything",
    "verify_checkpoint",
]
