"""Seeding and RNG snapshots (python, numpy, torch, cuda) for exact resume.

Snapshots are JSON (python, numpy) plus tensors (torch, cuda) so they fit a
safetensors + JSON checkpoint; nothing is pickled.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch
from torch import Tensor


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch (all devices). Call before building the model."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def rng_snapshot(device: torch.device) -> tuple[dict[str, Any], dict[str, Tensor]]:
    """(JSON part, tensor part) of every RNG this process uses."""
    name, keys, pos, has_gauss, cached = np.random.get_state()
    version, state, gauss = random.getstate()
    plain = {
        "numpy": [name, keys.tolist(), int(pos), int(has_gauss), float(cached)],
        "python": [version, list(state), gauss],
    }
    tensors = {"torch": torch.get_rng_state()}
    if device.type == "cuda":
        tensors["cuda"] = torch.cuda.get_rng_state(device)
    return plain, tensors


def rng_restore(plain: dict[str, Any], tensors: dict[str, Tensor], device: torch.device) -> None:
    name, keys, pos, has_gauss, cached = plain["numpy"]
    np.random.set_state((name, np.asarray(keys, dtype=np.uint32), pos, has_gauss, cached))
    version, state, gauss = plain["python"]
    random.setstate((version, tuple(state), gauss))
    torch.set_rng_state(tensors["torch"])
    if device.type == "cuda" and "cuda" in tensors:
        torch.cuda.set_rng_state(tensors["cuda"], device)
