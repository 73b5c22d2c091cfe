"""Device, mixed precision and determinism.

* ``fp32`` — plain float32.
* ``bf16`` — ``torch.autocast(dtype=bfloat16)`` around the task's step: matmuls
  in bfloat16, reductions and the loss in float32; same exponent range as
  float32, so no loss scaling is needed. Works on CUDA and on CPU.
* ``fp16`` — autocast to float16 plus a ``GradScaler`` (float16 gradients
  underflow without it); CUDA only.

Deterministic mode sets ``torch.use_deterministic_algorithms(True)``,
``cudnn.deterministic = True``, ``cudnn.benchmark = False`` and
``CUBLAS_WORKSPACE_CONFIG``; otherwise cuDNN autotuning is on.
"""

from __future__ import annotations

import contextlib
import os
import re
from typing import Any

import torch


def resolve_device(name: str, local_rank: int = 0, *, what: str = "train.device"
                   ) -> torch.device:
    """``"auto"`` -> cuda if available else cpu; ``"cpu"``; ``"cuda"`` (this process's GPU,
    ``local_rank``) or ``"cuda:N"``. Anything else, CUDA without a GPU, or a GPU index
    beyond the ones present is a ``ValueError`` naming ``what`` (the field or flag)."""
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cpu":
        return torch.device("cpu")
    match = re.fullmatch(r"cuda(?::(\d+))?", str(name))
    if match is None:
        raise ValueError(f"{what}: expected 'auto', 'cpu', 'cuda' or 'cuda:N', got {name!r}")
    if not torch.cuda.is_available():
        build = "" if torch.version.cuda else f" (this torch {torch.__version__} has no CUDA)"
        raise ValueError(f"{what} = {name!r} but no CUDA device is available{build}; "
                         "use 'auto' or 'cpu'")
    index = local_rank if match.group(1) is None else int(match.group(1))
    if index >= torch.cuda.device_count():
        raise ValueError(f"{what} = {name!r}: there are only {torch.cuda.device_count()} CUDA "
                         f"device(s), numbered from 0")
    return torch.device("cuda", index)


def check_precision(precision: str, device: torch.device) -> None:
    if precision == "fp16" and device.type != "cuda":
        raise ValueError("train.precision = 'fp16' needs a CUDA device (float16 on CPU is slow "
                         "and needs loss scaling); use 'bf16' or 'fp32' on CPU")


def autocast(precision: str, device: torch.device) -> Any:
    """The autocast context for one training or evaluation step."""
    if precision == "fp32":
        return contextlib.nullcontext()
    dtype = torch.bfloat16 if precision == "bf16" else torch.float16
    return torch.autocast(device_type=device.type, dtype=dtype)


def make_scaler(precision: str, device: torch.device) -> Any:
    """A GradScaler for fp16 on CUDA, else None."""
    if precision == "fp16" and device.type == "cuda":
        return torch.amp.GradScaler("cuda")
    return None


def apply_determinism(deterministic: bool, device: torch.device) -> None:
    if deterministic:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
    else:
        if torch.are_deterministic_algorithms_enabled():  # (the call imports torch._dynamo)
            torch.use_deterministic_algorithms(False)
        torch.backends.cudnn.deterministic = False
        torch.backends.cudnn.benchmark = device.type == "cuda"
