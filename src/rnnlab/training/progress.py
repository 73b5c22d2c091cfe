"""What the user sees while training: a tqdm bar on a terminal, log lines otherwise."""

from __future__ import annotations

import logging
import sys
from typing import Any

log = logging.getLogger("rnnlab.training")


def _fmt(info: dict[str, Any]) -> dict[str, str]:
    out = {}
    for key, value in info.items():
        if isinstance(value, float):
            out[key] = f"{value:.4g}"
        elif value is not None:
            out[key] = str(value)
    return out


class Progress:
    """``update`` after every step; shows loss, the task's metric, items/s and ETA."""

    def __init__(self, enabled: bool, total: int | None, log_every: int, initial: int = 0) -> None:
        self.enabled = enabled
        self.log_every = log_every
        self.total = total
        self._bar = None
        if enabled and sys.stderr.isatty():
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total, initial=initial, unit="step", dynamic_ncols=True)

    def update(self, step: int, info: dict[str, Any]) -> None:
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(1)
            self._bar.set_postfix(_fmt(info), refresh=False)
        elif step % self.log_every == 0:
            of = f"/{self.total}" if self.total else ""
            log.info("step %d%s %s", step, of,
                     " ".join(f"{k}={v}" for k, v in _fmt(info).items()))

    def message(self, text: str) -> None:
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.write(text)
        else:
            log.info(text)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
