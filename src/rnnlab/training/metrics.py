"""``metrics.jsonl``: one JSON object per line, per training step and per evaluation.

Train records: ``step, epoch, split="train", loss, lr, grad_norm`` (the global
L2 norm *before* clipping), ``items_per_s``, ``wall_time`` and the task's and
callbacks' numbers; every ``log_every`` steps also ``grad_norm/<parameter>``.
Evaluation records: ``step, epoch, split, loss`` and the task's metrics.
Non-finite numbers are written as ``null`` (JSON has no NaN). The same scalars
go to TensorBoard when ``train.tensorboard`` is on.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from rnnlab.training.checkpoint import atomic_write_text


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def read_metrics(path: str | Path) -> list[dict[str, Any]]:
    """All records of a ``metrics.jsonl`` (a torn last line from a crash is ignored)."""
    path = Path(path)
    if path.is_dir():
        path = path / "metrics.jsonl"
    records = []
    if not path.is_file():
        return records
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


class MetricsLog:
    """Appends records to ``metrics.jsonl`` (and TensorBoard); a no-op when not ``enabled``."""

    def __init__(self, run_dir: Path, enabled: bool = True, tensorboard: bool = False) -> None:
        self.path = Path(run_dir) / "metrics.jsonl"
        self.enabled = enabled
        self._file = open(self.path, "a", encoding="utf-8") if enabled else None  # noqa: SIM115
        self._tb = _tensorboard_writer(Path(run_dir) / "tensorboard") if (
            enabled and tensorboard) else None

    def write(self, record: dict[str, Any]) -> None:
        if self._file is None:
            return
        self._file.write(json.dumps({k: _clean(v) for k, v in record.items()}) + "\n")
        if self._tb is not None:
            split, step = record.get("split", "train"), int(record.get("step", 0))
            for key, value in record.items():
                if key in ("step", "epoch", "split") or isinstance(value, bool):
                    continue
                if isinstance(value, (int, float)) and math.isfinite(value):
                    self._tb.add_scalar(f"{split}/{key}", value, step)

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()
        if self._tb is not None:
            self._tb.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._tb is not None:
            self._tb.close()
            self._tb = None

    @staticmethod
    def truncate(run_dir: Path, step: int) -> None:
        """Drop records after ``step`` (resuming from a checkpoint at ``step``)."""
        path = Path(run_dir) / "metrics.jsonl"
        if not path.is_file():
            return
        kept = [r for r in read_metrics(path) if int(r.get("step", 0)) <= step]
        atomic_write_text(path, "".join(json.dumps(r) + "\n" for r in kept))


def _tensorboard_writer(log_dir: Path) -> Any:
    try:
        import tensorboard  # noqa: F401  (torch's SummaryWriter needs it)
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        raise ImportError(
            "train.tensorboard = true needs the tensorboard package: "
            "pip install 'rnnlab[tensorboard]' (or set train.tensorboard = false)"
        ) from None
    return SummaryWriter(log_dir=str(log_dir))
