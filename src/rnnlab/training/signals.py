"""Ctrl-C and SIGTERM: finish the current step, checkpoint, exit cleanly.

Inside ``GracefulStop`` the first SIGINT/SIGTERM only sets ``requested``;
the trainer checks it after each step, writes a checkpoint and returns. A
second Ctrl-C raises ``KeyboardInterrupt`` at once (for a stuck step). SIGKILL
cannot be caught: the run then loses the work since its last checkpoint.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

log = logging.getLogger(__name__)


class GracefulStop:
    """Context manager turning the first SIGINT/SIGTERM into a polite stop request."""

    def __init__(self) -> None:
        self.requested: str | None = None  # name of the signal received, if any
        self._previous: dict[int, object] = {}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self.requested is not None and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.requested = name
        log.warning("%s received: finishing this step, saving a checkpoint, then stopping", name)

    def __enter__(self) -> GracefulStop:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]
        self._previous.clear()
