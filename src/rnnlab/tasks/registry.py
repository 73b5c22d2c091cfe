"""The task families a run can be: ``[task] kind = "lm"`` names one of them.

A :class:`TaskKind` says which config sections a task reads (each a typed frozen
dataclass), the ``[train]`` defaults it needs, how to check the sections against
each other before any data is read, how to build the :class:`rnnlab.training.Task`
the trainer runs, and what to do once training has finished (evaluate, report).

Built-in kinds are imported when first asked for; a kind defined elsewhere is
added with :func:`register_task` from Python. A config file only ever *names* a
registered kind: loading a run never imports code the user did not import.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rnnlab.tasks.config import RunConfig
    from rnnlab.training.task import Task

# built-in kinds: name -> module that registers it when imported
BUILTIN: dict[str, str] = {
    "lm": "rnnlab.tasks.lm",
    "forecast": "rnnlab.tasks.forecast",
    "recall": "rnnlab.tasks.recall",
}
_KINDS: dict[str, TaskKind] = {}


@dataclass(frozen=True)
class TaskKind:
    """One task family: its config sections and how to build, check and finish a run."""

    name: str  # the value of [task] kind
    sections: Mapping[str, type]  # section name -> frozen config dataclass (not "task"/"train")
    build: Callable[[RunConfig, Path], Task]  # reads the data, builds model and Task
    train_defaults: Mapping[str, Any] = field(default_factory=dict)  # this task's [train] defaults
    check: Callable[[RunConfig], None] | None = None  # cross-section checks, before any data
    finish: Callable[[RunConfig, Path, Task], Any] | None = None  # after a completed fit
    description: str = ""

    def __post_init__(self) -> None:
        reserved = {"task", "train"} & set(self.sections)
        if reserved:
            raise ValueError(f"task {self.name!r}: sections {sorted(reserved)} are reserved")


def register_task(kind: TaskKind, *, replace: bool = False) -> TaskKind:
    """Make ``kind`` available as ``[task] kind = "<name>"``; returns it."""
    if not isinstance(kind, TaskKind):
        raise TypeError(f"expected a TaskKind, got {type(kind).__name__}")
    if kind.name in _KINDS and not replace:
        raise ValueError(f"a task named {kind.name!r} is already registered (replace=True)")
    _KINDS[kind.name] = kind
    return kind


def task_names() -> list[str]:
    """Every kind that can be named: the built-in ones and those registered."""
    return sorted({*BUILTIN, *_KINDS})


def get_task(name: Any) -> TaskKind:
    """The registered kind called ``name``, or a ValueError listing the known ones."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"[task] kind: expected a task name, got {name!r}")
    if name not in _KINDS and name in BUILTIN:
        importlib.import_module(BUILTIN[name])  # registers it
    if name in _KINDS:
        return _KINDS[name]
    close = difflib.get_close_matches(name, task_names(), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ValueError(
        f"[task] kind: unknown task {name!r}{hint}; known: {task_names()}. A task defined in "
        "your own code is added with rnnlab.tasks.register_task"
    )
