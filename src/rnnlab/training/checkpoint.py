"""Checkpoints that survive crashes: safetensors + JSON, atomic, checksummed.

Layout of one checkpoint (a directory under ``run_dir/checkpoints``)::

    step-00000120/
        model.safetensors       the weights (safetensors.torch.save_model: tied weights ok)
        optimizer.safetensors   optimizer tensors (Adam moments, momentum buffers, ...)
        state.safetensors       carried recurrent state and torch RNG states
        meta.json               everything else + sha256 of the three files above

The directory is first written as ``.tmp-...`` and renamed into place, so a
crash leaves either the old checkpoint or the complete new one; ``meta.json``
is written last and holds the checksums, so a truncated or corrupted file is
caught by ``verify_checkpoint``. Nothing here unpickles: loading never runs code.
Model weights holding NaN/inf are never written nor loaded (``check_finite``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, load_model, save_file, save_model
from torch import Tensor, nn

from rnnlab.training.files import atomic_write_text, fsync_file
from rnnlab.training.metrics import read_metrics

log = logging.getLogger(__name__)

CHECKPOINTS = "checkpoints"
BEST = "best"
META = "meta.json"
_STEP_DIR = re.compile(r"^step-(\d+)$")
FORMAT_VERSION = 1


class CheckpointError(RuntimeError):
    """A checkpoint is missing, truncated, corrupt or does not fit the model."""


def step_dir_name(step: int) -> str:
    return f"step-{step:08d}"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def optimizer_to_flat(state_dict: dict[str, Any]) -> tuple[dict[str, Tensor], dict[str, Any]]:
    """Split ``optimizer.state_dict()`` into tensors (for safetensors) and JSON-able rest."""
    tensors: dict[str, Tensor] = {}
    plain: dict[str, dict[str, Any]] = {}
    for index, entry in state_dict["state"].items():
        plain[str(index)] = {}
        for name, value in entry.items():
            if isinstance(value, Tensor):
                tensors[f"{index}.{name}"] = value.detach().clone().contiguous().cpu()
            else:
                plain[str(index)][name] = value
    return tensors, {"state": plain, "param_groups": state_dict["param_groups"]}


def optimizer_from_flat(tensors: dict[str, Tensor], plain: dict[str, Any]) -> dict[str, Any]:
    """Inverse of ``optimizer_to_flat``: an ``optimizer.load_state_dict`` argument."""
    state: dict[int, dict[str, Any]] = {int(i): dict(v) for i, v in plain["state"].items()}
    for key, value in tensors.items():
        index, _, name = key.partition(".")
        state.setdefault(int(index), {})[name] = value
    groups = []
    for group in plain["param_groups"]:
        group = dict(group)
        if isinstance(group.get("betas"), list):
            group["betas"] = tuple(group["betas"])
        groups.append(group)
    return {"state": state, "param_groups": groups}


def check_finite(tensors: dict[str, Tensor], where: str) -> None:
    """Raise ``CheckpointError`` naming the first tensor of ``tensors`` holding NaN/inf."""
    for name, tensor in tensors.items():
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
            raise CheckpointError(f"{where}: model tensor {name!r} holds NaN/inf (the run "
                                  "diverged before this point)")


def write_checkpoint(
    path: Path,
    model: nn.Module,
    meta: dict[str, Any],
    optimizer_tensors: dict[str, Tensor] | None = None,
    state_tensors: dict[str, Tensor] | None = None,
) -> Path:
    """Write one checkpoint directory atomically; returns ``path``.

    ``meta`` must be JSON-able; the checksums and format version are added here.
    A model with a NaN/inf tensor is refused (``CheckpointError``) before anything
    is written.
    """
    path = Path(path)
    check_finite(model.state_dict(), f"refusing to write checkpoint {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{path.name}-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    files = {"model.safetensors": None}
    save_model(model, str(tmp / "model.safetensors"))
    if optimizer_tensors is not None:
        save_file(optimizer_tensors, str(tmp / "optimizer.safetensors"))
        files["optimizer.safetensors"] = None
    if state_tensors is not None:
        save_file(state_tensors, str(tmp / "state.safetensors"))
        files["state.safetensors"] = None
    for name in files:
        fsync_file(tmp / name)
        files[name] = sha256_file(tmp / name)
    meta = {**meta, "format_version": FORMAT_VERSION, "sha256": files}
    atomic_write_text(tmp / META, json.dumps(meta, indent=1, sort_keys=True))
    if path.exists():  # same step written again (e.g. after a resume): swap, then drop the old
        old = path.with_name(f".old-{path.name}-{os.getpid()}")
        os.replace(path, old)
        os.replace(tmp, path)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, path)
    return path


def verify_checkpoint(path: Path) -> dict[str, Any]:
    """Return the checkpoint's meta after checking every file against its sha256.

    Raises ``CheckpointError`` saying what is wrong (missing, unreadable, mismatch).
    """
    path = Path(path)
    meta_path = path / META
    if not meta_path.is_file():
        raise CheckpointError(f"checkpoint {path} has no {META} (interrupted while writing?)")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise CheckpointError(f"checkpoint {path}: {META} is not valid JSON ({err})") from None
    sums = meta.get("sha256")
    if not isinstance(sums, dict) or "model.safetensors" not in sums:
        raise CheckpointError(f"checkpoint {path}: {META} lists no checksums")
    for name, expected in sums.items():
        file = path / name
        if not file.is_file():
            raise CheckpointError(f"checkpoint {path}: {name} is missing")
        actual = sha256_file(file)
        if actual != expected:
            raise CheckpointError(
                f"checkpoint {path}: {name} is corrupt or truncated "
                f"(sha256 expected {expected[:12]}..., got {actual[:12]}...)"
            )
    return meta


def step_checkpoints(run_dir: Path) -> list[tuple[int, Path]]:
    """(step, path) of every ``step-*`` checkpoint directory, oldest first."""
    root = Path(run_dir) / CHECKPOINTS
    if not root.is_dir():
        return []
    found = []
    for entry in root.iterdir():
        match = _STEP_DIR.match(entry.name)
        if match and entry.is_dir():
            found.append((int(match.group(1)), entry))
    return sorted(found)


def latest_good_checkpoint(run_dir: Path) -> Path | None:
    """The newest step checkpoint whose checksums verify, or None if the run has none.

    A bad newer checkpoint is skipped with a logged warning naming the problem and
    the one used instead; if every checkpoint is bad, ``CheckpointError`` lists why.
    """
    problems = []
    for _, path in reversed(step_checkpoints(run_dir)):
        try:
            verify_checkpoint(path)
        except CheckpointError as err:
            problems.append(str(err))
            log.warning("%s; trying the previous checkpoint", err)
            continue
        if problems:
            log.warning("using checkpoint %s instead", path)
        return path
    if problems:
        raise CheckpointError(f"no usable checkpoint in {run_dir}: " + "; ".join(problems))
    return None


def prune_checkpoints(run_dir: Path, keep_last: int, protect: Path | None = None) -> None:
    """Delete all but the newest ``keep_last`` step checkpoints (never ``protect``)."""
    found = step_checkpoints(run_dir)
    for _, path in found[: max(0, len(found) - keep_last)]:
        if protect is not None and path.resolve() == Path(protect).resolve():
            continue
        shutil.rmtree(path, ignore_errors=True)


def load_state_tensors(path: Path, name: str) -> dict[str, Tensor]:
    """Tensors of ``path/name`` (empty if the file is absent), with clear errors."""
    file = Path(path) / name
    if not file.is_file():
        return {}
    try:
        return load_file(str(file))
    except (SafetensorError, OSError) as err:
        raise CheckpointError(f"cannot read {file}: {err}") from None


def load_model_weights(model: nn.Module, path: Path) -> None:
    """Load ``path/model.safetensors`` into ``model`` (strict), with a clear error on mismatch
    or on NaN/inf weights (checked before ``model`` is touched)."""
    file = Path(path) / "model.safetensors"
    check_finite(load_state_tensors(path, "model.safetensors"), f"refusing to load {file}")
    try:
        missing, unexpected = load_model(model, str(file), strict=False)
    except (SafetensorError, OSError) as err:
        raise CheckpointError(f"cannot read {file}: {err}") from None
    except RuntimeError as err:  # shape mismatch
        raise CheckpointError(f"{file} does not fit this model: {err}") from None
    if missing or unexpected:
        raise CheckpointError(
            f"{file} does not fit this model: missing {sorted(missing)}, "
            f"unexpected {sorted(unexpected)}"
        )


def load_weights(model: nn.Module, run_dir: str | Path, which: str = "best") -> dict[str, Any]:
    """Load a run's weights into ``model`` for prediction; returns the checkpoint's meta.

    ``which="best"`` is the checkpoint with the lowest validation loss (the
    NT-ASGD averaged weights once averaging started); ``"last"`` is the newest
    good step checkpoint. Checksums are verified first.
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise FileNotFoundError(f"run directory not found: {run_dir}")
    if which == "best":
        path = run_dir / CHECKPOINTS / BEST
        if not (path / META).is_file():
            raise CheckpointError(f"no best checkpoint in {run_dir}: {_why_no_best(run_dir)}; "
                                  "use which='last'")
    elif which == "last":
        found = latest_good_checkpoint(run_dir)
        if found is None:
            raise CheckpointError(f"no checkpoint in {run_dir / CHECKPOINTS}")
        path = found
    else:
        raise ValueError(f"which: expected 'best' or 'last', got {which!r}")
    meta = verify_checkpoint(path)
    with torch.no_grad():
        load_model_weights(model, path)
    return meta


def _why_no_best(run_dir: Path) -> str:
    """What metrics.jsonl says about the validation of a run without a best checkpoint."""
    try:
        records = read_metrics(run_dir)
    except (FileNotFoundError, ValueError):
        return "did the run evaluate on 'valid'?"
    valid = [r for r in records if r.get("split") == "valid"]
    if not valid:
        return "metrics.jsonl has no validation record (the task has no 'valid' batches?)"
    if all(r.get("nonfinite") or r.get("loss") is None for r in valid):
        return (f"every validation loss was NaN/inf (the first at step {valid[0].get('step')}); "
                "see the warnings of the run and check the 'valid' data")
    return "the run evaluated on 'valid' but its best checkpoint is missing (deleted?)"
