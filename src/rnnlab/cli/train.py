"""``rnnlab train CONFIG.toml`` / ``rnnlab train --resume RUN_DIR``: any task, one recipe.

The config names its task (``[task] kind = "lm"``), holds ``[train]``
(:class:`rnnlab.training.TrainConfig`) and the task's sections; ``rnnlab config
TASK`` prints them all with their defaults. The same recipe runs ``rnnlab lm
train`` and ``rnnlab forecast train`` (:mod:`rnnlab.tasks.run`).
"""

from __future__ import annotations

import argparse

from rnnlab.cli.arguments import MODEL_FLAGS, add_training_flags, flag_values, run_training


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train", help="train any task from a TOML config (or resume a run directory)",
        description="Train the task described by CONFIG.toml ([task] kind = ..., [train] ...).",
    )
    add_training_flags(parser)
    parser.set_defaults(func=run)

    config = subparsers.add_parser(
        "config", help="print every config field of a task with its default and meaning")
    config.add_argument("task", nargs="?", default=None, help="a task kind (default: list them)")
    config.set_defaults(func=run_config)


def run(args: argparse.Namespace) -> int:
    if args.config is None and args.resume is None:
        raise ValueError("expected CONFIG.toml or --resume RUN_DIR")
    result = run_training(args, None, flag_values(args, MODEL_FLAGS))
    if isinstance(result, int):
        return result
    report = result.run_dir / "report.md"  # what the task's finish step wrote: the model
    if result.report is not None and report.is_file():  # beside its baselines
        print(report.read_text(encoding="utf-8"), end="")
    return 0


def run_config(args: argparse.Namespace) -> int:
    from rnnlab.tasks import describe_config, get_task, task_names

    if args.task is None:
        for name in task_names():
            print(f"{name:10s} {get_task(name).description}")
        return 0
    print(describe_config(args.task), end="")
    return 0
