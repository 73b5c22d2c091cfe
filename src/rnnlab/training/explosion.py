"""The one definition of an exploding gradient, used live by the trainer and on logs.

Step i is *exploding* when its global gradient norm (before clipping) is more
than ``factor`` times the median of the previous ``window`` finite norms, once
at least ``min_history`` of them are known:

    ‖g_i‖ > factor · median(‖g_{i−w}‖ … ‖g_{i−1}‖)     (factor = train.explode_factor,
                                                          w = 100, at least 20 norms)

i.e. a jump of an order of magnitude over the recent typical norm (Pascanu et
al. 2013 describe these as the "walls" of the loss surface that clipping is
for). A non-finite norm is not an exploding step but a *non-finite* one: the
trainer records it as ``nonfinite: true``, and it never enters the history.
The trainer flags steps with ``ExplosionWatch`` (``exploding: true`` in
metrics.jsonl); ``exploding_events`` replays the same watch over a logged
series and finds exactly those steps again.
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from collections.abc import Sequence

WINDOW = 100  # norms the running median looks back over
MIN_HISTORY = 20  # no verdict before this many finite norms


class ExplosionWatch:
    """Flags a gradient norm above ``factor`` × the median of the last ``window`` norms."""

    def __init__(self, factor: float, window: int = WINDOW, min_history: int = MIN_HISTORY) -> None:
        if factor <= 0 or window < 1 or min_history < 1:
            raise ValueError(f"expected factor > 0, window >= 1 and min_history >= 1, got "
                             f"{factor}, {window}, {min_history}")
        self.factor = factor
        self.min_history = min_history
        self.norms: deque[float] = deque(maxlen=window)  # the recent finite norms, oldest first
        self.median = math.nan  # the median the last flagged norm was compared with

    def observe(self, norm: float | None) -> bool:
        """Remember ``norm``; True if it is exploding. ``None``/NaN/inf: False, not remembered."""
        if norm is None or not math.isfinite(norm):
            return False
        exploding = False
        if len(self.norms) >= self.min_history:
            median = statistics.median(self.norms)
            exploding = norm > self.factor * median
            if exploding:
                self.median = median
        self.norms.append(norm)
        return exploding


def exploding_events(norms: Sequence[float | None], factor: float = 10.0,
                     window: int = WINDOW, min_history: int = MIN_HISTORY) -> list[int]:
    """Indices of ``norms`` (one per training step, in order) that the trainer flags.

    Give the run's ``train.explode_factor`` and the ``grad_norm`` of its train
    records (``None`` where a step was non-finite) to get its ``exploding`` steps.
    """
    watch = ExplosionWatch(factor, window, min_history)
    return [i for i, norm in enumerate(norms) if watch.observe(norm)]
