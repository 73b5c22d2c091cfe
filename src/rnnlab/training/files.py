"""Durable file writes for the run directory: atomic replace, fsync, a writability check.

A crash (SIGKILL, power loss) must leave each file either as it was or as it
was meant to be, never half-written: text goes to a temporary file in the same
directory, is fsynced, then ``os.replace``-d over the target (atomic on POSIX).
"""

from __future__ import annotations

import os
from pathlib import Path


def fsync_file(path: Path) -> None:
    """Force ``path``'s bytes to disk."""
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temp file and ``os.replace`` (never half-written)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def check_writable(directory: Path, what: str = "run directory") -> None:
    """Raise ``ValueError`` naming ``directory`` if it cannot be created or written to.

    Checked before the first write, so a bad path fails at once and leaves
    nothing behind. ``what`` names the directory's role in the message.
    """
    directory = Path(directory)
    existing = directory
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent  # the nearest part of the path that exists
    if not existing.is_dir():
        raise ValueError(f"cannot write the {what} {directory}: {existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        why = " (a read-only file system)" if _read_only_fs(existing) else ""
        raise ValueError(f"cannot write the {what} {directory}: {existing} is not "
                         f"writable{why}")


def _read_only_fs(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs (Windows)
        return False
