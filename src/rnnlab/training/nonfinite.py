"""NaN/inf during training: the error, and what it says.

``train.nonfinite = "stop"`` (the default) stops at the first NaN/inf training
loss, gradient norm or validation loss, naming where it happened and the last
good checkpoint to resume from; ``"skip"`` logs a warning and goes on (a skipped
training step resets the carried state; a NaN/inf validation is never a best).
Weights holding NaN/inf are never checkpointed (``checkpoint.check_finite``).
"""

from __future__ import annotations

from pathlib import Path


class NonFiniteLossError(RuntimeError):
    """A loss or gradient norm became NaN/inf and ``train.nonfinite = "stop"``."""


def step_error(what: str, value: float, where: str, last: Path | None) -> NonFiniteLossError:
    return NonFiniteLossError(
        f"non-finite {what} ({value}) at {where}; the model was not updated. "
        f"Last good checkpoint: {last or 'none yet'}. Lower the learning rate or set "
        "train.clip_norm and resume from it, or set train.nonfinite = 'skip'")


def validation_error(what: str, last: Path | None) -> NonFiniteLossError:
    return NonFiniteLossError(
        f"{what}: the 'valid' batches or the model's outputs on them hold NaN/inf. "
        f"Last good checkpoint: {last or 'none yet'}. Check the validation data, or set "
        "train.nonfinite = 'skip' to go on (such an evaluation is never a best)")
