"""Typed configs: frozen dataclasses that round-trip through TOML.

Every component owns a frozen dataclass config (a comment on each default).
This module turns such configs into plain dicts and TOML and back, and applies
``section.field=value`` overrides from the command line, so a run directory's
``config.toml`` is enough to rebuild what made it.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import types
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

import tomli_w

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

C = TypeVar("C")


class ConfigError(ValueError, TypeError):
    """A config value, field or section that cannot be used: says where, what was expected
    and what came. Both a ValueError and a TypeError, so callers catching either see it."""


def to_dict(config: Any) -> dict[str, Any]:
    """A dataclass (nested ones too) as a plain dict; ``None`` is left out (TOML has no null)."""
    out: dict[str, Any] = {}
    for field in dataclasses.fields(config):
        value = getattr(config, field.name)
        if dataclasses.is_dataclass(value):
            value = to_dict(value)
        elif isinstance(value, tuple):
            value = list(value)
        if value is not None:
            out[field.name] = value
    return out


def from_dict(cls: type[C], data: dict[str, Any], where: str | None = None) -> C:
    """Build ``cls`` from a dict, recursing into nested dataclass fields.

    Unknown keys are an error that lists the known ones, so a typo in a TOML
    file never passes silently; each value is checked against its annotation
    (an int is not a float, a bool is not an int, floats are finite).
    ``where`` names the section in messages (default: the class name).
    """
    where = where or cls.__name__
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a table, got {_show(data)}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ConfigError(
            f"unknown field(s) {unknown} for {where}; known fields: {sorted(fields)}"
        )
    kwargs = {name: _coerce(hints[name], value, f"{where}.{name}") for name, value in data.items()}
    try:
        return cls(**kwargs)
    except ConfigError:
        raise
    except (ValueError, TypeError) as err:  # the dataclass's own checks (__post_init__)
        raise ConfigError(f"{where}: {err}") from None


def check_sections(data: dict[str, Any], known: Iterable[str], what: str = "config") -> None:
    """Refuse a misspelt section (``[trian]``) like a misspelt field: list the known ones."""
    known = sorted(known)
    unknown = sorted(k for k in data if k not in known)
    if unknown:
        raise ConfigError(f"unknown section(s) {unknown} in the {what}; known sections: {known}")
    for name in known:
        if name in data and not isinstance(data[name], dict):
            raise ConfigError(f"[{name}] must be a table (section), got {_show(data[name])}")


def _show(value: Any) -> str:
    return f"{value!r} ({type(value).__name__})"


def _coerce(hint: Any, value: Any, where: str) -> Any:
    """Check a TOML value against the annotation and convert it (dataclass, tuple, int -> float)."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            if type(None) in args:
                return None
            raise ConfigError(f"{where}: expected a value, got none")
        options = [a for a in args if a is not type(None)]
        errors = []
        for option in options:
            try:
                return _coerce(option, value, where)
            except ConfigError as err:
                errors.append(err)
        if len(options) == 1:
            raise errors[0]
        names = " or ".join(getattr(o, "__name__", str(o)) for o in options)
        raise ConfigError(f"{where}: expected {names}, got {_show(value)}")
    if dataclasses.is_dataclass(hint):
        return from_dict(hint, value, where)
    if origin is tuple:
        if args == (str, Ellipsis) and isinstance(value, str):
            return (value,)  # one name where a list of names goes
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{where}: expected a list, got {_show(value)}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_coerce(args[0], v, where) for v in value)
        if args and len(args) != len(value):
            raise ConfigError(f"{where}: expected a list of {len(args)}, got {_show(value)}")
        inner = args or (Any,) * len(value)
        return tuple(_coerce(a, v, where) for a, v in zip(inner, value, strict=True))
    if origin in (dict, typing.Mapping) or hint is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a table, got {_show(value)}")
        return dict(value)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: expected a number, got {_show(value)}")
        if not math.isfinite(value):
            raise ConfigError(f"{where}: expected a finite number, got {value}")
        return float(value)
    if hint is int:
        if isinstance(value, float) and value.is_integer() and math.isfinite(value):
            raise ConfigError(f"{where}: expected an integer, got {value} (write {int(value)})")
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: expected an integer, got {_show(value)}")
        return value
    if hint is bool and not isinstance(value, bool):
        raise ConfigError(f"{where}: expected true or false, got {_show(value)}")
    if hint is str and not isinstance(value, str):
        raise ConfigError(f"{where}: expected a string, got {_show(value)}")
    return value


def save_toml(config: Any, path: str | Path) -> None:
    """Write a config (dataclass or dict) as TOML."""
    data = to_dict(config) if dataclasses.is_dataclass(config) else config
    Path(path).write_text(tomli_w.dumps(data), encoding="utf-8")


def load_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file into a dict, with the file name in any error."""
    path = Path(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"config file not found: {path}") from None
    except IsADirectoryError:
        raise ConfigError(f"expected a TOML file, got the folder {path}") from None
    except PermissionError:
        raise ConfigError(f"cannot read {path}: permission denied") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path} is not valid UTF-8 TOML: {err}") from None


def parse_override(text: str) -> tuple[list[str], Any]:
    """``"train.lr=0.5"`` -> (["train", "lr"], 0.5); the value is read as TOML, else as a string."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip() or "" in key.strip().split("."):
        raise ConfigError(f"expected an override like section.field=value, got {text!r}")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key.strip().split("."), value


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Return a copy of a config dict with ``section.field=value`` overrides applied."""
    out = _deep_copy(data)
    for text in overrides:
        path, value = parse_override(text)
        node = out
        for part in path[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"override {text!r}: {part!r} is not a section")
        node[path[-1]] = value
    return out


def _deep_copy(data: dict[str, Any]) -> dict[str, Any]:
    return {k: _deep_copy(v) if isinstance(v, dict) else v for k, v in data.items()}
