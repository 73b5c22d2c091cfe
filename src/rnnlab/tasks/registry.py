"""The task families a run can be: ``[task] kind = "lm"`` names one of them.

Built-in kinds are found by name (``BUILTIN``: the module that defines ``KIND``)
and imported when first asked for; a kind defined elsewhere is added with
:func:`register_task` from Python. A config file only ever *names* a
registered kind: loading a run never imports code the user did not import.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from rnnlab.config import ConfigError, load_toml
from rnnlab.tasks.config import CONFIG_FILE, RunConfig, typed_config
from rnnlab.tasks.kind import TaskKind

# built-in kinds: name -> "module:attribute" of their TaskKind
BUILTIN: dict[str, str] = {
    "lm": "rnnlab.tasks.lm:KIND",
    "forecast": "rnnlab.tasks.forecast:KIND",
    "recall": "rnnlab.tasks.recall:KIND",
    "translate": "rnnlab.tasks.translate:KIND",
    "condgen": "rnnlab.tasks.condgen:KIND",
    "classify": "rnnlab.tasks.classify:KIND",
    "tag": "rnnlab.tasks.tag:KIND",
    "ngram": "rnnlab.tasks.ngram:KIND",
}
_KINDS: dict[str, TaskKind] = {}


def register_task(kind: TaskKind, *, replace: bool = False) -> TaskKind:
    """Make ``kind`` available as ``[task] kind = "<name>"``; returns it."""
    if not isinstance(kind, TaskKind):
        raise TypeError(f"expected a TaskKind, got {type(kind).__name__}")
    if (kind.name in _KINDS or kind.name in BUILTIN) and not replace:
        raise ValueError(f"a task named {kind.name!r} is already registered (replace=True)")
    _KINDS[kind.name] = kind
    return kind


def task_names() -> list[str]:
    """Every kind that can be named: the built-in ones and those registered."""
    return sorted({*BUILTIN, *_KINDS})


def get_task(name: Any) -> TaskKind:
    """The kind called ``name``, or a ValueError listing the known ones."""
    if not isinstance(name, str) or not name:
        raise ConfigError(f"[task] kind: expected a task name, got {name!r}")
    if name in _KINDS:
        return _KINDS[name]
    if name in BUILTIN:
        module, _, attribute = BUILTIN[name].partition(":")
        return getattr(importlib.import_module(module), attribute)
    close = difflib.get_close_matches(name, task_names(), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ConfigError(
        f"[task] kind: unknown task {name!r}{hint}; known: {task_names()}. A task defined in "
        "your own code is added with rnnlab.tasks.register_task"
    )


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
    task = raw.get("task", {})
    named = task.get("kind") if isinstance(task, dict) else None
    if named is not None and kind is not None and named != kind:
        raise ConfigError(f"this command trains [task] kind = {kind!r}, the config says {named!r}")
    if named is None and kind is None:
        raise ConfigError('the config needs a [task] table with kind = "..." '
                          '(e.g. kind = "lm" or "forecast")')
    return typed_config(raw, get_task(named or kind).schema, overrides)


def load_run_config(run_dir: str | Path, overrides: Iterable[str] = ()) -> RunConfig:
    """The config a run directory recorded (``config.toml``), typed and checked again."""
    path = Path(run_dir) / CONFIG_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{run_dir} is not a run directory: no {CONFIG_FILE}")
    return resolve_config(path, overrides=overrides)
