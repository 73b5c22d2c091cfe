"""torch.nn's parameter names for a :class:`Recurrent` layer's cells, both ways.

The layer owns its cells (``cells.{k}.weight_ih`` …, k = l·D + d), while
``torch.nn.RNN/LSTM/GRU`` keep flat parameters named ``weight_ih_l{l}``,
``weight_hh_l{l}_reverse`` …. Hooks (:func:`use_torch_names`) translate state
dicts, so checkpoints and ``load_state_dict`` move between rnnlab and torch.nn —
also when the layer sits inside a bigger model (the hooks get the key prefix),
and missing keys are reported by torch.nn's names:

    cells.{k}.{name}   <->   {name}_l{l}{"_reverse" if d == 1 else ""}

and :func:`torch_name_target` resolves an attribute such as
``layer.weight_hh_l0`` to the cell parameter it names.
"""

from __future__ import annotations

import re
from typing import Any

from torch import nn

_TORCH_NAME = re.compile(r"(?P<name>\w+?)_l(?P<layer>\d+)(?P<reverse>_reverse)?")
_CELL_KEY = re.compile(r"(?P<prefix>.*?)cells\.(?P<k>\d+)\.(?P<name>\w+)")


def torch_name(name: str, k: int, num_directions: int) -> str:
    """``weight_ih`` of cell k -> ``weight_ih_l{l}`` or ``weight_ih_l{l}_reverse``."""
    layer, direction = divmod(k, num_directions)
    return f"{name}_l{layer}" + ("_reverse" if direction == 1 else "")


def torch_name_target(layer: nn.Module, attr: str) -> tuple[nn.Module, str] | None:
    """(cell, parameter name) that ``attr`` (e.g. "bias_hh_l1_reverse") names, or None."""
    m = _TORCH_NAME.fullmatch(attr)
    cells = layer.__dict__.get("_modules", {}).get("cells")
    if m is None or cells is None or layer.__dict__.get("spec") is None:
        return None
    dirs = 2 if layer.__dict__.get("bidirectional") else 1
    if m["reverse"] and dirs == 1:
        return None
    k = int(m["layer"]) * dirs + (1 if m["reverse"] else 0)
    if k >= len(cells) or m["name"] not in cells[k]._parameters:
        return None
    return cells[k], m["name"]


def to_torch_names(module: nn.Module, state_dict: dict, prefix: str, local_metadata: Any) -> None:
    """state_dict post-hook: ``{prefix}cells.{k}.{name}`` -> ``{prefix}{name}_l{l}[_reverse]``."""
    if getattr(module, "spec", None) is None:  # custom cells keep their own names
        return
    dirs = module.num_directions
    ours = [key for key in state_dict if key.startswith(prefix + "cells.")]
    for key in ours:  # they are the last keys so far: re-inserting keeps torch.nn's order
        m = _CELL_KEY.fullmatch(key[len(prefix) :])
        value = state_dict.pop(key)
        state_dict[prefix + torch_name(m["name"], int(m["k"]), dirs)] = value


def missing_as_torch_names(module: nn.Module, incompatible_keys: Any) -> None:
    """load_state_dict post-hook: report this layer's missing keys by torch.nn's names."""
    if getattr(module, "spec", None) is None:
        return
    missing = incompatible_keys.missing_keys
    for i, key in enumerate(missing):
        m = _CELL_KEY.fullmatch(key)
        if m is not None and int(m["k"]) < len(module.cells):
            missing[i] = m["prefix"] + torch_name(m["name"], int(m["k"]), module.num_directions)


def from_torch_names(module: nn.Module, state_dict: dict, prefix: str, *args: Any) -> None:
    """load_state_dict pre-hook: ``{prefix}weight_ih_l0`` … -> ``{prefix}cells.0.weight_ih``."""
    if getattr(module, "spec", None) is None:
        return
    dirs = module.num_directions
    for key in [k for k in state_dict if k.startswith(prefix)]:
        rest = key[len(prefix) :]
        m = _TORCH_NAME.fullmatch(rest)
        if m is None or (m["reverse"] and dirs == 1):  # not ours: left for strict loading
            continue
        k = int(m["layer"]) * dirs + (1 if m["reverse"] else 0)
        state_dict[f"{prefix}cells.{k}.{m['name']}"] = state_dict.pop(key)


def use_torch_names(layer: nn.Module) -> None:
    """Register the three hooks above on ``layer`` (a :class:`Recurrent`)."""
    layer.register_state_dict_post_hook(to_torch_names)
    layer.register_load_state_dict_pre_hook(from_torch_names)
    layer.register_load_state_dict_post_hook(missing_as_torch_names)
