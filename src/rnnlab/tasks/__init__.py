"""Tasks: the glue between data, models and the trainer — the public API of runs.

    registry.py   the task kinds ([task] kind = "lm" | "forecast" | "recall" | your own)
    config.py     a run's whole config, typed and checked before any data is read
    run.py        the one train recipe: train(config, run_dir) and resume(run_dir)
    describe.py   every config field of a task with its default and meaning
    lm/ forecast/ recall.py   the task families

Examples and benchmarks import from here (or from ``rnnlab``), never from the CLI.
"""

from rnnlab.tasks.config import CONFIG_FILE, RunConfig, load_run_config, resolve_config
from rnnlab.tasks.describe import describe_config
from rnnlab.tasks.registry import TaskKind, get_task, register_task, task_names
from rnnlab.tasks.run import RunResult, check_new_run_dir, resume, train

__all__ = [
    "CONFIG_FILE",
    "RunConfig",
    "RunResult",
    "TaskKind",
    "check_new_run_dir",
    "describe_config",
    "get_task",
    "load_run_config",
    "register_task",
    "resolve_config",
    "resume",
    "task_names",
    "train",
]
