"""Zoneout (Krueger et al. 2017) around any reference cell, forward and backward.

Forward, with the base cell's step s̃_t = cell(x_t, s_{t-1}) and a mask d_t per
state tensor (1 = keep the previous value; in evaluation d_t = z, the rate):

    s_t = d_t ⊙ s_{t-1} + (1 − d_t) ⊙ s̃_t

Backward, given ds_t:

    ds̃_t = (1 − d_t) ⊙ ds_t   -> the base cell's backward -> dx_t, ds_{t-1}', ∂J/∂W|_(t)
    ds_{t-1} = ds_{t-1}' + d_t ⊙ ds_t        (a zoned-out unit passes its gradient straight back)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnnlab.reference.cell import Grads, ReferenceCell


class ZoneoutCell(ReferenceCell):
    """``base`` with zoneout rates ``rates`` (one per state tensor: (z_h,) or (z_h, z_c))."""

    def __init__(self, base: ReferenceCell, rates: tuple[float, ...]) -> None:
        self.base, self.rates = base, tuple(rates)
        self.gates, self.state_size_factor = base.gates, base.state_size_factor
        self.input_size, self.hidden_size, self.bias = base.input_size, base.hidden_size, base.bias
        self.params = base.params  # the same arrays

    def init_state(self, batch_size: int):
        return self.base.init_state(batch_size)

    def _parts(self, s: Any) -> tuple:
        return s if isinstance(s, tuple) else (s,)

    def forward(self, x: np.ndarray, state, mask: tuple[np.ndarray, ...] | None = None):
        """One step; ``mask`` = (d_h, …) drawn by the caller, None = the rates (evaluation)."""
        d = self.rates if mask is None else mask
        _, candidate, cache = self.base.forward(x, state)
        zoned = tuple(dk * p + (1 - dk) * n for dk, p, n in
                      zip(d, self._parts(state), self._parts(candidate), strict=True))
        new = zoned if isinstance(state, tuple) else zoned[0]
        return zoned[0], new, (cache, d)

    def backward(self, dstate, cache) -> tuple[np.ndarray, Any, Grads]:
        base_cache, d = cache
        ds = self._parts(dstate)
        candidate = tuple((1 - dk) * g for dk, g in zip(d, ds, strict=True))  # ds̃_t
        dx, dprev, grads = self.base.backward(self._wrap(candidate, dstate), base_cache)
        back = tuple(p + dk * g for p, dk, g in zip(self._parts(dprev), d, ds, strict=True))
        return dx, self._wrap(back, dstate), grads

    @staticmethod
    def _wrap(parts: tuple, like: Any):
        return parts if isinstance(like, tuple) else parts[0]

    def __repr__(self) -> str:
        return f"ZoneoutCell({self.base!r}, rates={self.rates})"
