"""A run's whole config, resolved and typed: defaults < file < flags < ``--set``.

Sections: ``[task]`` (``kind``), ``[train]`` (:class:`rnnlab.training.TrainConfig`)
and the sections of the task kind (``[data]``, ``[model]`` …). Resolution
checks everything that can be checked without reading data — unknown sections
and fields, value types, finite numbers, the dataclasses' own rules and the
task's cross-section rules — so a mistake costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rnnlab.config import (
    ConfigError,
    apply_overrides,
    check_sections,
    from_dict,
    load_toml,
    to_dict,
)
from rnnlab.tasks.registry import TaskKind, get_task
from rnnlab.training.config import TrainConfig

CONFIG_FILE = "config.toml"


@dataclass(frozen=True)
class RunConfig:
    """The typed config of one run: its task kind, ``[train]`` and the task's sections."""

    kind: TaskKind
    train: TrainConfig
    sections: Mapping[str, Any]  # section name -> frozen dataclass instance

    def __getitem__(self, name: str) -> Any:
        return self.sections[name]

    def task_dict(self) -> dict[str, Any]:
        """Every section but ``[train]`` as plain data (what the trainer writes beside it)."""
        return {"task": {"kind": self.kind.name},
                **{name: to_dict(value) for name, value in self.sections.items()}}

    def to_dict(self) -> dict[str, Any]:
        """The whole config as plain data, every resolved field (None left out: TOML)."""
        return {**self.task_dict(), "train": to_dict(self.train)}


def resolve_config(
    data: Mapping[str, Any] | str | Path | None = None,
    *,
    kind: str | None = None,
    overrides: Iterable[str] = (),
) -> RunConfig:
    """Type and check a config: a dict, a TOML path, or None (all defaults).

    ``kind`` is the task a command trains (``rnnlab lm train`` -> "lm"); a file's
    ``[task] kind`` must agree with it. ``overrides`` are ``section.field=value``.
    """
    if data is None:
        raw: dict[str, Any] = {}
    elif isinstance(data, (str, Path)):
        raw = load_toml(data)
    else:
        raw = {k: dict(v) if isinstance(v, Mapping) else v for k, v in data.items()}
    raw = apply_overrides(raw, list(overrides))
    task = raw.get("task", {})
    if not isinstance(task, dict):
        raise ConfigError(f"[task] must be a table with kind = \"...\", got {task!r}")
    named = task.get("kind")
    if named is not None and kind is not None and named != kind:
        raise ConfigError(f"this command trains [task] kind = {kind!r}, the config says {named!r}")
    if named is None and kind is None:
        raise ConfigError('the config needs a [task] table with kind = "..." '
                          '(e.g. kind = "lm" or "forecast")')
    if set(task) - {"kind"}:
        raise ConfigError(f"unknown field(s) {sorted(set(task) - {'kind'})} in [task]; "
                          "known fields: ['kind']")
    task_kind = get_task(named or kind)
    check_sections(raw, {"task", "train", *task_kind.sections},
                   what=f"config of a {task_kind.name!r} run")
    train = from_dict(TrainConfig, {**task_kind.train_defaults, **raw.get("train", {})},
                      "[train]")
    sections = {name: from_dict(cls, raw.get(name, {}), f"[{name}]")
                for name, cls in task_kind.sections.items()}
    config = RunConfig(task_kind, train, sections)
    if task_kind.check is not None:
        try:
            task_kind.check(config)
        except ConfigError:
            raise
        except (ValueError, TypeError) as err:
            raise ConfigError(str(err)) from None
    return config


def load_run_config(run_dir: str | Path, overrides: Iterable[str] = ()) -> RunConfig:
    """The config a run directory recorded (``config.toml``), resolved again."""
    path = Path(run_dir) / CONFIG_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{run_dir} is not a run directory: no {CONFIG_FILE}")
    return resolve_config(path, overrides=overrides)
