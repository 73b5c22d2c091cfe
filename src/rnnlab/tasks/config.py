"""A run's whole config, typed and checked: defaults < file < flags < ``--set``.

Sections: ``[task]`` (``kind``), ``[train]`` (:class:`rnnlab.training.TrainConfig`)
and the sections of the task kind (``[data]``, ``[model]`` …). Typing checks
everything that can be checked without reading data — unknown sections and
fields, value types, finite numbers, the dataclasses' own rules and the
task's cross-section rules — so a mistake costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rnnlab.config import (
    ConfigError,
    apply_overrides,
    check_sections,
    from_dict,
    load_toml,
    to_dict,
)
from rnnlab.training.config import TrainConfig

if TYPE_CHECKING:
    from rnnlab.tasks.kind import ConfigSchema

CONFIG_FILE = "config.toml"


@dataclass(frozen=True)
class RunConfig:
    """The typed config of one run: its task kind, ``[train]`` and the task's sections."""

    kind: str  # the [task] kind
    train: TrainConfig
    sections: Mapping[str, Any]  # section name -> frozen dataclass instance

    def __getitem__(self, name: str) -> Any:
        return self.sections[name]

    def task_dict(self) -> dict[str, Any]:
        """Every section but ``[train]`` as plain data (what the trainer writes beside it)."""
        return {"task": {"kind": self.kind},
                **{name: to_dict(value) for name, value in self.sections.items()}}

    def to_dict(self) -> dict[str, Any]:
        """The whole config as plain data, every resolved field (None left out: TOML)."""
        return {**self.task_dict(), "train": to_dict(self.train)}


def typed_config(raw: Mapping[str, Any], kind: ConfigSchema,
                 overrides: Iterable[str] = ()) -> RunConfig:
    """``raw`` (plain data, e.g. a parsed TOML file) typed and checked as a ``kind`` run."""
    raw = apply_overrides(dict(raw), list(overrides))
    task = raw.get("task", {})
    if not isinstance(task, dict):
        raise ConfigError(f'[task] must be a table with kind = "...", got {task!r}')
    if set(task) - {"kind"}:
        raise ConfigError(f"unknown field(s) {sorted(set(task) - {'kind'})} in [task]; "
                          "known fields: ['kind']")
    if task.get("kind", kind.name) != kind.name:
        raise ConfigError(f"expected [task] kind = {kind.name!r}, got {task['kind']!r}")
    check_sections(raw, {"task", "train", *kind.sections}, what=f"config of a {kind.name!r} run")
    train = from_dict(TrainConfig, {**kind.train_defaults, **raw.get("train", {})}, "[train]")
    sections = {name: from_dict(cls, raw.get(name, {}), f"[{name}]")
                for name, cls in kind.sections.items()}
    config = RunConfig(kind.name, train, sections)
    if kind.check is not None:
        try:
            kind.check(config)
        except ConfigError:
            raise
        except (ValueError, TypeError) as err:
            raise ConfigError(str(err)) from None
    return config


def read_run_config(run_dir: str | Path, kind: ConfigSchema) -> RunConfig:
    """A ``kind`` run's recorded config (``run_dir/config.toml``), typed and checked again."""
    path = Path(run_dir) / CONFIG_FILE
    if not Path(run_dir).is_dir():
        raise FileNotFoundError(f"run directory not found: {run_dir}")
    if not path.is_file():
        raise FileNotFoundError(f"{run_dir} is not a run directory: no {CONFIG_FILE}")
    raw = load_toml(path)
    named = raw.get("task", {}).get("kind") if isinstance(raw.get("task"), dict) else None
    if named != kind.name:
        raise ValueError(f"{run_dir} is not a {kind.name!r} run: [task] kind = {named!r}")
    return typed_config(raw, kind)
