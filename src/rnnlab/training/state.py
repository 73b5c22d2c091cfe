"""A recurrent state as tensors + a JSON skeleton, for checkpoints (detach: rnnlab.cells.state).

A recurrent state is whatever a model returns as its state: a tensor ``h``
of shape (L·D, B, H), an LSTM pair ``(h, c)``, or any nesting of tuples,
lists and dicts of tensors (a stack of custom cells), or ``None``.
"""

from __future__ import annotations

from typing import Any

from torch import Tensor


def state_to_tensors(state: Any, prefix: str = "state") -> tuple[dict[str, Tensor], Any]:
    """``state`` -> (flat {key: tensor}, JSON skeleton) for safetensors + JSON checkpoints.

    The skeleton mirrors the nesting with each tensor replaced by its key;
    ``state_from_tensors`` inverts it. Namedtuples come back as plain tuples.
    """
    tensors: dict[str, Tensor] = {}

    def walk(node: Any, key: str) -> Any:
        if node is None:
            return None
        if isinstance(node, Tensor):
            tensors[key] = node.detach().contiguous().cpu()
            return {"tensor": key}
        if isinstance(node, (tuple, list)):
            kind = "tuple" if isinstance(node, tuple) else "list"
            return {kind: [walk(v, f"{key}.{i}") for i, v in enumerate(node)]}
        if isinstance(node, dict):
            return {"dict": {str(k): walk(v, f"{key}.{k}") for k, v in node.items()}}
        raise TypeError(f"cannot checkpoint a state part of type {type(node).__name__}")

    return tensors, walk(state, prefix)


def state_from_tensors(skeleton: Any, tensors: dict[str, Tensor], device: Any = None) -> Any:
    """Inverse of ``state_to_tensors``; tensors are moved to ``device`` when given."""
    if skeleton is None:
        return None
    if "tensor" in skeleton:
        t = tensors[skeleton["tensor"]]
        return t.to(device) if device is not None else t
    if "tuple" in skeleton:
        return tuple(state_from_tensors(s, tensors, device) for s in skeleton["tuple"])
    if "list" in skeleton:
        return [state_from_tensors(s, tensors, device) for s in skeleton["list"]]
    if "dict" in skeleton:
        return {k: state_from_tensors(s, tensors, device) for k, s in skeleton["dict"].items()}
    raise ValueError(f"corrupt state skeleton in checkpoint: {skeleton!r}")
