"""What the user sees while training, from the command line, a script or a notebook.

* Interactive (a terminal, or a Jupyter kernel): a ``tqdm.auto`` bar (a widget in
  a notebook) showing loss, the task's metric, items/s and the ETA. While it is
  shown, console logging goes through ``tqdm.write`` (tqdm's
  ``logging_redirect_tqdm``), so log lines print above the bar instead of through it.
* Not interactive (output to a file or a pipe, CI): INFO log lines every
  ``log_every`` steps and at the end of each epoch. When the program has not set up
  logging at all (a plain script), a handler printing them to stderr is added for
  the duration of training, so progress is never silent by accident.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Callable
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


def first_metric(eval_metrics: Callable[[float], dict[str, float]], loss: float
                 ) -> dict[str, float]:
    """The task's headline metric for a loss (perplexity, RMSE, ...), or {} if it has none
    there (exp of a large loss overflows)."""
    try:
        metrics = eval_metrics(loss)
    except (OverflowError, ValueError):
        return {}
    return dict(list(metrics.items())[:1])


def interactive() -> bool:
    """A terminal on stderr, or a Jupyter kernel (where tqdm.auto draws a widget)."""
    isatty = getattr(sys.stderr, "isatty", None)
    if isatty is not None and isatty():
        return True
    ipython = sys.modules.get("IPython")  # never imported here: only if the user runs it
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and hasattr(shell, "kernel")


class Progress:
    """``update`` after every step, ``epoch_end`` after each epoch, ``close`` at the end."""

    def __init__(self, enabled: bool, total: int | None, log_every: int, initial: int = 0,
                 epochs: int | None = None) -> None:
        self.enabled = enabled
        self.log_every = log_every
        self.total = total
        self.epochs = epochs
        self._bar = None
        self._undo = contextlib.ExitStack()  # logging changes, undone by close()
        self._epoch_loss, self._epoch_steps, self._epoch_t0 = 0.0, 0, time.perf_counter()
        if not enabled:
            return
        if interactive():
            from tqdm.auto import tqdm
            from tqdm.contrib.logging import logging_redirect_tqdm

            self._bar = tqdm(total=total, initial=initial, unit="step", dynamic_ncols=True)
            self._undo.enter_context(logging_redirect_tqdm())  # root's console handlers
        elif not log.hasHandlers():  # nobody set up logging: print the lines ourselves
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter("%(message)s"))
            level = log.level
            log.addHandler(handler)
            log.setLevel(logging.INFO)
            self._undo.callback(log.setLevel, level)
            self._undo.callback(log.removeHandler, handler)

    def update(self, step: int, info: dict[str, Any]) -> None:
        if not self.enabled:
            return
        if isinstance(info.get("loss"), float):
            self._epoch_loss += info["loss"]
            self._epoch_steps += 1
        if self._bar is not None:
            self._bar.update(1)
            self._bar.set_postfix(_fmt(info), refresh=False)
        elif step % self.log_every == 0:
            of = f"/{self.total}" if self.total else ""
            log.info("step %d%s %s", step, of,
                     " ".join(f"{k}={v}" for k, v in _fmt(info).items()))

    def epoch_end(self, epoch: int, step: int) -> None:
        """``epoch`` (0-based) just ended at ``step``: one log line without a bar."""
        if self.enabled and self._bar is None:
            of = f"/{self.epochs}" if self.epochs else ""
            mean = self._epoch_loss / max(self._epoch_steps, 1)
            log.info("epoch %d%s done: step %d, mean train loss %.4g, %.1f s", epoch + 1, of,
                     step, mean, time.perf_counter() - self._epoch_t0)
        self._epoch_loss, self._epoch_steps, self._epoch_t0 = 0.0, 0, time.perf_counter()

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
        self._undo.close()
