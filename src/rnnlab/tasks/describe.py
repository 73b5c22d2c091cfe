"""``rnnlab config TASK``: every field of a task's config, with its default and its comment.

The comments are the ones beside each field in the dataclass source (STYLE.md:
a comment on each default), so the listing cannot drift from the code.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from typing import Any

import tomli_w

from rnnlab.config import to_dict
from rnnlab.tasks.registry import get_task
from rnnlab.training.config import TrainConfig

_FIELD = re.compile(r"^\s+(\w+)\s*:[^#]*?(?:#\s*(.*))?$")


def field_comments(cls: type) -> dict[str, str]:
    """{field: the comment on its line} read from the dataclass's source, and from its base
    dataclasses' for inherited fields (a model config inheriting ``EncoderConfig``)."""
    names = {f.name for f in dataclasses.fields(cls)}
    comments: dict[str, str] = {}
    for klass in cls.__mro__:  # the subclass first: a field it redefines keeps its own note
        if not dataclasses.is_dataclass(klass):
            continue
        try:
            lines = inspect.getsource(klass).splitlines()
        except (OSError, TypeError):
            continue
        for line in lines:
            match = _FIELD.match(line)
            if match and match[1] in names and not comments.get(match[1]):
                comments[match[1]] = (match[2] or "").strip()
    return comments


def describe_section(name: str, cls: type) -> str:
    """``[name]`` with every field = default  # comment (fields whose default is None shown
    commented out: TOML has no null)."""
    defaults = to_dict(cls())
    comments = field_comments(cls)
    lines = [f"[{name}]"]
    for field in dataclasses.fields(cls):
        note = f"  # {comments[field.name]}" if comments.get(field.name) else ""
        if field.name in defaults:
            lines.append(f"{_default_line(field.name, defaults[field.name])}{note}")
        else:
            lines.append(f"# {field.name} = (none){note}")
    return "\n".join(lines) + "\n"


def describe_config(task: str) -> str:
    """The whole config of a ``task`` kind: [task], its sections, [train] with its defaults."""
    kind = get_task(task)
    parts = [f'[task]\nkind = "{kind.name}"  # {kind.description}\n']
    parts += [describe_section(name, cls) for name, cls in kind.schema.sections.items()]
    train = describe_section("train", TrainConfig)
    for field, value in kind.schema.train_defaults.items():  # this task's own [train] defaults
        train = re.sub(rf"^(# )?{field} = .*?(  #|$)",
                       lambda m, f=field, v=value: _default_line(f, v) + m[2],
                       train, count=1, flags=re.M)
    parts.append(train)
    return "\n".join(parts)


def _default_line(field: str, value: Any) -> str:
    """``field = value`` in TOML, lists on one line."""
    if isinstance(value, (list, tuple)):
        items = ", ".join(tomli_w.dumps({"v": v}).strip()[4:] for v in value)
        return f"{field} = [{items}]"
    return tomli_w.dumps({field: value}).strip()
