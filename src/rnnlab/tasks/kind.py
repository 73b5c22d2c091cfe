"""What a task family is: the shape of its config, and how to build, check and finish a run.

Two parts, kept apart so that a family's own modules can read its configs
without importing the family (no import cycle):

* :class:`ConfigSchema` — the sections a run of this task reads (each a typed
  frozen dataclass), its ``[train]`` defaults and the cross-section checks;
* :class:`TaskKind` — the schema plus how to build the :class:`rnnlab.training.Task`
  the trainer runs, what to do once training has finished (evaluate, report), and
  how to rebuild the trained model from a run directory.

Each family module (``rnnlab.tasks.lm`` …) defines one ``KIND``; the registry
(:mod:`rnnlab.tasks.registry`) finds it by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from torch import nn

    from rnnlab.tasks.config import RunConfig
    from rnnlab.training.task import Task


@dataclass(frozen=True)
class ConfigSchema:
    """The config of one task family: ``[task] kind = name`` plus these sections."""

    name: str  # the value of [task] kind
    sections: Mapping[str, type]  # section name -> frozen config dataclass (not task/train)
    train_defaults: Mapping[str, Any] = field(default_factory=dict)  # this task's [train]
    check: Callable[[RunConfig], None] | None = None  # cross-section checks, before any data

    def __post_init__(self) -> None:
        reserved = {"task", "train"} & set(self.sections)
        if reserved:
            raise ValueError(f"task {self.name!r}: sections {sorted(reserved)} are reserved")


@dataclass(frozen=True)
class TaskKind:
    """One task family: its config schema and how to build and finish a run."""

    schema: ConfigSchema
    build: Callable[[RunConfig, Path], Task]  # reads the data, builds the model and the Task
    finish: Callable[[RunConfig, Path, Task], Any] | None = None  # after a completed fit
    description: str = ""
    fit: Callable[[RunConfig, Path, Any], dict[str, Any]] | None = None  # a model fitted
    # without gradient descent (the n-gram model counts): fit(config, run_dir, built) writes
    # the run directory and returns the summary the Trainer would; no Trainer runs then
    load_model: Callable[[Path, str], nn.Module] | None = None  # (run_dir, "best" | "last") ->
    # the trained model, rebuilt from the run's files (diagnostics inspect runs through it)

    @property
    def name(self) -> str:
        return self.schema.name
