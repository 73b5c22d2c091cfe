"""Tasks: the glue between data, models and the trainer — the public API of runs.

    kind.py       what a task family is: its config schema, how to build and finish a run
    config.py     a run's whole config, typed and checked before any data is read
    registry.py   the task kinds by name ([task] kind = "lm" | "forecast" | "recall" | …)
    run.py        the one train recipe: train(config, run_dir) and resume(run_dir)
    describe.py   every config field of a task with its default and meaning
    lm/ forecast/ recall.py   the task families

Examples and benchmarks import from here (or from ``rnnlab``), never from the CLI.
"""

from rnnlab.tasks.config import CONFIG_FILE, RunConfig, read_run_config, typed_config
from rnnlab.tasks.describe import describe_config
from rnnlab.tasks.kind import ConfigSchema, TaskKind
from rnnlab.tasks.registry import (
    get_task,
    load_run_config,
    register_task,
    resolve_config,
    task_names,
)
from rnnlab.tasks.run import RunResult, check_new_run_dir, resume, train

__all__ = [
    "CONFIG_FILE",
    "ConfigSchema",
    "RunConfig",
    "RunResult",
    "TaskKind",
    "check_new_run_dir",
    "describe_config",
    "get_task",
    "load_run_config",
    "read_run_config",
    "register_task",
    "resolve_config",
    "resume",
    "task_names",
    "train",
    "typed_config",
]
