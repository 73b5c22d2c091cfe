"""The task-agnostic trainer: BPTT and truncated BPTT, clipping, optimizers and
schedules, checkpoints and exact resume, progress and logs, mixed precision,
multi-process (torchrun / DDP). See docs/training.md.
"""

from rnnlab.cells.state import detach_state
from rnnlab.training.checkpoint import (
    CheckpointError,
    latest_good_checkpoint,
    load_weights,
    verify_checkpoint,
)
from rnnlab.training.clipping import parameter_grad_norms
from rnnlab.training.config import FIXED_ON_RESUME, TrainConfig
from rnnlab.training.explosion import ExplosionWatch, exploding_events
from rnnlab.training.metrics import read_metrics
from rnnlab.training.nonfinite import NonFiniteLossError
from rnnlab.training.optim import NTASGD, build_optimizer
from rnnlab.training.plots import plot_learning_curves
from rnnlab.training.rng import seed_everything
from rnnlab.training.task import StepResult, Task
from rnnlab.training.trainer import Trainer
from rnnlab.training.training_state import TrainingState

__all__ = [
    "FIXED_ON_RESUME",
    "NTASGD",
    "CheckpointError",
    "ExplosionWatch",
    "NonFiniteLossError",
    "StepResult",
    "Task",
    "TrainConfig",
    "Trainer",
    "TrainingState",
    "build_optimizer",
    "detach_state",
    "exploding_events",
    "latest_good_checkpoint",
    "load_weights",
    "parameter_grad_norms",
    "plot_learning_curves",
    "read_metrics",
    "seed_everything",
    "verify_checkpoint",
]
