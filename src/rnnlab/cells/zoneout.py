"""Zoneout (Krueger et al. 2017): each unit of the state keeps its previous value at random.

For any cell with state s = (h,) or (h, c) and its step s̃_t = cell(x_t, s_{t-1}):

    s_t = d_t ⊙ s_{t-1} + (1 − d_t) ⊙ s̃_t,     d_t ~ Bernoulli(z) per unit, in training
    s_t = z ⊙ s_{t-1} + (1 − z) ⊙ s̃_t,         in evaluation (d_t replaced by its expectation)

with one rate z per state tensor (z_h for h, z_c for c). For the LSTM this is
the paper's equation (section 3.3):

    c_t = d^c_t ⊙ c_{t-1} + (1 − d^c_t) ⊙ (f_t ⊙ c_{t-1} + i_t ⊙ g_t)
    h_t = d^h_t ⊙ h_{t-1} + (1 − d^h_t) ⊙ (o_t ⊙ tanh(f_t ⊙ c_{t-1} + i_t ⊙ g_t))

The masks d_t are an input of the step (``zoneout_mask``, one (B, H) tensor
per state tensor): whoever runs the cell draws them (:func:`zoneout_masks`;
the layer draws all steps at once, so every backend uses the same masks), and
evaluation is deterministic. Unlike dropout, nothing is rescaled: a zoned-out
unit carries its value (and its gradient) straight through the step.

:func:`zoneout_cell` turns any registered cell into its zoneout variant; the
registry holds ``zoneout-lstm`` (z_h = 0.05, z_c = 0.5, Krueger et al.'s
character-level Penn Treebank setting) and ``zoneout-gru`` (z_h = 0.1).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor

if TYPE_CHECKING:
    from rnnlab.cells.spec import CellSpec


def zoneout_step(
    cell_step: Callable[..., tuple[Tensor, Any]],
    x: Tensor,
    state: Any,
    *,
    zoneout_mask: tuple[Tensor, ...],
    **weights: Any,
) -> tuple[Tensor, Any]:
    """One step of ``cell_step`` with zoneout: (h_t, s_t) with s_t = lerp(s̃_t, s_{t-1}, d_t)."""
    _, candidate = cell_step(x, state, **weights)  # s̃_t, from the zoned s_{t-1}
    prev = state if isinstance(state, tuple) else (state,)
    new = candidate if isinstance(candidate, tuple) else (candidate,)
    # s_t = d_t ⊙ s_{t-1} + (1 − d_t) ⊙ s̃_t, for h (and c)
    zoned = tuple(torch.lerp(s_new, s_prev, d) for s_new, s_prev, d in
                  zip(new, prev, zoneout_mask, strict=True))
    return zoned[0], (zoned if isinstance(state, tuple) else zoned[0])


def zoneout_masks(
    rates: tuple[float, ...], shape: tuple[int, ...], training: bool, like: Tensor
) -> tuple[Tensor, ...]:
    """d for each state tensor: Bernoulli(z) draws of ``shape`` in training, else z itself.

    In evaluation the mask is the expectation z (an expanded scalar: no memory).
    """
    if training:
        return tuple(like.new_empty(shape).bernoulli_(z) for z in rates)
    return tuple(like.new_full((1,) * len(shape), z).expand(shape) for z in rates)


def check_zoneout(rates: Mapping[str, float], state_names: tuple[str, ...], name: str) -> None:
    """Rates by state name, each in [0, 1); a ValueError naming the cell otherwise."""
    unknown = sorted(set(rates) - set(state_names))
    if unknown:
        raise ValueError(f"cell {name!r}: expected zoneout rates for states {state_names}, "
                         f"got {unknown}")
    for state, z in rates.items():
        if isinstance(z, bool) or not isinstance(z, (int, float)) or not 0.0 <= z < 1.0:
            raise ValueError(f"cell {name!r}: expected a zoneout rate in [0, 1) for {state}, "
                             f"got {z!r}")


def zoneout_cell(
    base: CellSpec, *, h: float, c: float | None = None, name: str | None = None
) -> CellSpec:
    """The spec of ``base`` (a spec) with zoneout on h (and c): register it to use it.

    ``zoneout_cell(get_cell("ln-lstm"), h=0.05, c=0.5, name="zoneout-ln-lstm")``.
    The gates, weights, extra parameters and sequence kernel are the base cell's.
    """
    from dataclasses import replace

    rates = {"h": h} if c is None else {"h": h, "c": c}
    shown = ", ".join(f"z_{k} = {v}" for k, v in rates.items())
    return replace(
        base,
        name=name or f"zoneout-{base.name}",
        step=functools.partial(zoneout_step, base.step),
        fused=None,  # no PyTorch kernel zones out
        zoneout=rates,
        description=f"{base.name} with zoneout ({shown}; Krueger et al. 2017)",
    )
