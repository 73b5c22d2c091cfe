"""``rnnlab compare TASK``: the RNN beside its neighbours, same data, same budget, one report.

    compare(CompareSpec("lm", ("elman", "lstm", "gru", "transformer", "ngram", "mlp", "cnn"),
                        budget=parse_budget("10m"), config={"data": {"path": "…/ptb/ptb"}}),
            "runs/compare-ptb")

Every model is one run directory under the comparison's, trained by the one
recipe (:func:`rnnlab.tasks.train`) from the same config: the shared sections
(``[data]``, ``[train]``, ``[model]`` …) plus what the model's name sets —
``elman``/``lstm``/``gru`` (or any registered cell) the recurrent encoder and
its cell, ``transformer``/``cnn``/``mlp`` the encoder, ``ngram`` (``ngram3`` …)
the counted Kneser–Ney model (language models only). ``NAME:section.field=value``
overrides reach one model only (``transformer:train.lr=3e-4``). The budget is
wall clock (``train.max_seconds``: evaluations count), CPU time of the training
process (``cpu:10m``, ``train.max_cpu_seconds``: the fair clock on a shared
machine) or optimizer steps (``train.max_steps``), the same for all; the epochs
are then unlimited unless the config sets them. Everything is checked before the
first model trains.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rnnlab.cells.spec import cell_names
from rnnlab.config import ConfigError, load_toml
from rnnlab.evaluation.agreement import read_agreement
from rnnlab.evaluation.compare_report import write_compare_report
from rnnlab.models.encoders import ENCODERS, EncoderConfig
from rnnlab.tasks.compare_entries import curve_metric, forecast_baselines, run_entry
from rnnlab.tasks.config import RunConfig
from rnnlab.tasks.registry import get_task, resolve_config
from rnnlab.tasks.run import check_new_run_dir, train

ALIASES = {"elman": "elman-tanh"}  # the courses' plain Elman network
_NGRAM = re.compile(r"ngram(\d)?")
_BUDGET = re.compile(r"\s*(cpu:)?\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|steps?)\s*", re.I)


@dataclass(frozen=True)
class Budget:
    """The same training budget for every model: seconds (wall clock or CPU) or steps."""

    seconds: float | None = None
    steps: int | None = None
    cpu: bool = False  # seconds of CPU time of the training process, not of wall clock

    def describe(self) -> str:
        if self.seconds is None:
            return f"{self.steps} steps"
        return f"{self.seconds:g} s of {'CPU time' if self.cpu else 'wall clock'}"

    @property
    def train_field(self) -> str:
        """The [train] field that enforces it."""
        if self.seconds is None:
            return "max_steps"
        return "max_cpu_seconds" if self.cpu else "max_seconds"


def parse_budget(text: str) -> Budget:
    """"10m", "90s", "1.5h" (wall clock), "cpu:10m" (CPU time) or "500steps" -> a Budget."""
    match = _BUDGET.fullmatch(text)
    if match is None:
        raise ValueError(f"--budget: expected e.g. 10m, 90s, 1.5h, cpu:10m or 500steps, "
                         f"got {text!r}")
    cpu, value, unit = bool(match[1]), float(match[2]), match[3].lower()
    if unit.startswith("step"):
        if value != int(value) or value < 1 or cpu:
            raise ValueError(f"--budget: expected a whole number of steps >= 1, got {text!r}")
        return Budget(steps=int(value))
    if value <= 0:
        raise ValueError(f"--budget: expected a positive time, got {text!r}")
    return Budget(seconds=value * {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600}[unit],
                  cpu=cpu)


@dataclass(frozen=True)
class CompareSpec:
    """What to compare: the task, the models, the budget and the shared config."""

    task: str  # "lm", "forecast", or any task whose [model] is an EncoderConfig
    models: tuple[str, ...]  # names: elman, lstm, gru, transformer, cnn, mlp, ngram, any cell
    budget: Budget | None = None  # None: the config's own epochs / max_steps
    config: Mapping[str, Any] = field(default_factory=dict)  # shared sections (no [task])
    overrides: tuple[str, ...] = ()  # section.field=value, or NAME:section.field=value
    agreement_data: Path | None = None  # NAME.text + NAME.gold for the LM agreement probe


def model_fields(task: str, name: str) -> tuple[str, dict[str, Any]]:
    """(task kind, [model] fields) that the model name ``name`` stands for."""
    ngram = _NGRAM.fullmatch(name)
    if ngram:
        if task != "lm":
            raise ValueError(f"--models: {name!r} is a language model; the {task!r} task has "
                             "its own baselines in every report")
        return "ngram", {"order": int(ngram[1] or 5)}
    if name in ENCODERS and name != "rnn":
        return task, {"encoder": name}
    cell = ALIASES.get(name, name)
    if cell in cell_names():
        return task, {"encoder": "rnn", "cell": cell}
    raise ValueError(f"--models: unknown model {name!r}; expected elman, a cell "
                     f"({', '.join(cell_names())}), {', '.join(e for e in ENCODERS if e != 'rnn')}"
                     + (" or ngram (ngram3 …)" if task == "lm" else ""))


def run_configs(spec: CompareSpec) -> dict[str, RunConfig]:
    """Each model's whole run config, typed and checked (nothing is read or written)."""
    model_section = get_task(spec.task).schema.sections.get("model")
    if not (isinstance(model_section, type) and issubclass(model_section, EncoderConfig)):
        raise ValueError(f"compare: the {spec.task!r} task's [model] does not read its input "
                         "through an encoder (rnnlab.models.encoders); nothing to compare")
    if not spec.models or len(set(spec.models)) != len(spec.models):
        raise ValueError(f"--models: expected distinct model names, got {list(spec.models)}")
    shared = [o for o in spec.overrides if not _own(o)]
    configs = {}
    for name in spec.models:
        kind, fields = model_fields(spec.task, name)
        raw = copy.deepcopy(dict(spec.config))
        if kind == "ngram":  # counts: only the data is shared
            raw = {"data": raw.get("data", {}), "model": fields}
            mine = [o for o in shared if o.startswith("data.")]
        else:
            raw["model"] = {**raw.get("model", {}), **fields}
            train = raw.setdefault("train", {})
            if spec.budget is not None:
                train.setdefault("epochs", 10**6)  # the budget ends the run, not the epochs
                train[spec.budget.train_field] = spec.budget.seconds or spec.budget.steps
            mine = list(shared)
        mine += [o.split(":", 1)[1] for o in spec.overrides if _own(o) == name]
        try:
            configs[name] = resolve_config(raw, kind=kind, overrides=mine)
        except ValueError as err:
            raise ConfigError(f"model {name!r}: {err}") from None
    unknown = {_own(o) for o in spec.overrides if _own(o)} - set(spec.models)
    if unknown:
        raise ValueError(f"--set for models not compared: {sorted(unknown)}")
    return configs


def _own(override: str) -> str | None:
    """The model an override is for (``lstm:train.lr=1``), or None for all models."""
    head = override.split("=", 1)[0]
    return head.split(":", 1)[0] if ":" in head else None


def compare(spec: CompareSpec, out_dir: str | Path) -> Path:
    """Train every model of ``spec`` into ``out_dir/<name>``; write the report; its path."""
    out_dir = Path(out_dir)
    configs = run_configs(spec)
    for name in configs:
        check_new_run_dir(out_dir / name)
    items = None
    if spec.agreement_data is not None:
        if spec.task != "lm":
            raise ValueError("--agreement-data: the agreement probe is for language models")
        read_agreement(spec.agreement_data)  # a bad file fails now, not after the training
        items = spec.agreement_data
    clock = "cpu_time" if spec.budget is not None and spec.budget.cpu else "wall_time"
    entries = []
    for name, config in configs.items():
        result = train(config, out_dir / name)
        entries.append(run_entry(name, config, result, items, clock))
    first = next(iter(configs.values()))
    notes = [f"Task {spec.task!r}, data {_data_path(first)}; budget per model: "
             f"{spec.budget.describe() if spec.budget else 'the config epochs / max_steps'}.",
             "Every model trained by the one recipe (rnnlab.tasks.train) on the same data; "
             "parameters are trainable numbers (n-gram: stored keys and counts)."]
    metric = curve_metric(entries)
    if spec.task == "lm":
        return write_compare_report(out_dir, "Language models compared", notes, entries,
                                    metric, clock=clock, log_y=True)
    if spec.task == "forecast":
        baselines = forecast_baselines(out_dir / next(iter(configs)))
        return write_compare_report(out_dir, "Forecasters compared", notes, entries, metric,
                                    clock=clock, baselines=baselines)
    return write_compare_report(out_dir, f"Models compared on the {spec.task!r} task", notes,
                                entries, metric, clock=clock)


def _data_path(config: RunConfig) -> Any:
    data = config.sections.get("data")
    return getattr(data, "path", data)


def read_base_config(path: Path | None, task: str) -> dict[str, Any]:
    """The shared config file (its [task], if any, must name ``task``)."""
    raw = load_toml(path) if path is not None else {}
    named = raw.pop("task", {}).get("kind")
    if named not in (None, task):
        raise ValueError(f"{path}: [task] kind = {named!r}, but this compares {task!r} models")
    return raw


__all__ = ["Budget", "CompareSpec", "compare", "model_fields", "parse_budget",
           "read_base_config", "run_configs"]
