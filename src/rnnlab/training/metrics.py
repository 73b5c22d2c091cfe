"""``metrics.jsonl``: one JSON object per line, per training step and per evaluation.

Records (every one has ``step`` and ``split``):

* ``split="train"``: ``epoch, loss, lr, grad_norm`` (the global L2 norm *before*
  clipping), ``items, items_per_s, wall_time, cpu_time``, the task's and callbacks' numbers,
  ``exploding: true`` on a flagged step (``rnnlab.training.explosion``), every
  ``log_every`` steps ``grad_norm/<parameter>``; a non-finite step has
  ``nonfinite: true`` and the offending ``loss`` or ``grad_norm`` as ``null``.
* ``split="valid"``: ``epoch, loss``, the task's metrics, ``best``, ``wall_time, cpu_time``
  (``nonfinite: true`` when the loss was NaN/inf).
* ``split="resume"``: ``changed: {field: [old, new]}``, the ``[train]`` fields a
  resumed run changed, at the step it resumed from. Readers of curves keep only
  the splits they plot, so this record never shows up as a point.

Non-finite numbers are written as ``null`` (JSON has no NaN). The same scalars
go to TensorBoard when ``train.tensorboard`` is on. The log is flushed and
fsynced before each checkpoint becomes visible, so a checkpoint at step N always
has every record up to N on disk.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from torch import Tensor

METRICS = "metrics.jsonl"


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def numbers(values: dict[str, Any]) -> dict[str, int | float | bool]:
    """The entries of ``values`` that are numbers (tensors become floats), for a record."""
    out: dict[str, int | float | bool] = {}
    for key, value in values.items():
        if isinstance(value, Tensor):
            value = float(value.detach())
        if isinstance(value, (int, float, bool)):
            out[key] = value
    return out


def read_metrics(path: str | Path) -> list[dict[str, Any]]:
    """The records of a run's ``metrics.jsonl`` (``path`` is the file or the run directory).

    A torn last line (the process died while writing it) is skipped; any other
    line that is not a JSON object is an error naming ``file:line``.
    """
    path = Path(path)
    if path.is_dir():
        path = path / METRICS
    if not path.is_file():
        raise FileNotFoundError(f"metrics file not found: {path}")
    lines = path.read_bytes().split(b"\n")
    last = max((i for i, line in enumerate(lines) if line.strip()), default=-1)
    records = []
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            record = json.loads(line.decode("utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            if i == last:
                continue  # a crash can tear only the line being written
            raise ValueError(f"{path}:{i + 1}: expected one JSON object a line: {err}") from None
        if not isinstance(record, dict):
            raise ValueError(f"{path}:{i + 1}: expected a JSON object, got "
                             f"{type(record).__name__}")
        records.append(record)
    return records


def records_up_to(run_dir: Path, step: int) -> str:
    """The text of ``run_dir/metrics.jsonl`` keeping the records of steps <= ``step``
    (what a run resumed from a checkpoint at ``step`` starts from)."""
    path = Path(run_dir) / METRICS
    if not path.is_file():
        return ""
    kept = [r for r in read_metrics(path) if int(r.get("step", 0)) <= step]
    return "".join(json.dumps(r) + "\n" for r in kept)


class MetricsLog:
    """Appends records to ``metrics.jsonl`` (and TensorBoard); a no-op when not ``enabled``."""

    def __init__(self, run_dir: Path, enabled: bool = True, tensorboard: bool = False) -> None:
        self.path = Path(run_dir) / METRICS
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

    def sync(self) -> None:
        """Flush and fsync: every record written so far survives a crash from now on."""
        self.flush()
        if self._file is not None:
            os.fsync(self._file.fileno())

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._tb is not None:
            self._tb.close()
            self._tb = None


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
