"""``rnnlab train CONFIG.toml``: train any task through the one trainer.

The config file has a ``[task]`` table whose ``kind`` names a task builder,
a ``[train]`` table (``rnnlab.training.TrainConfig``) and whatever sections the
task reads (model, data, ...)::

    [task]
    kind = "lm"            # a name from TASKS below, or "package.module:function"
    [train]
    epochs = 40
    lr = 20.0

A builder is ``build(config: dict, run_dir: Path) -> Task``; it receives the
whole config (all sections) and returns a Task whose model is built. The
trainer writes the run directory; ``--resume RUN_DIR`` continues a run from
its own ``config.toml`` and newest good checkpoint.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
from pathlib import Path
from typing import Any

from rnnlab.cli.arguments import add_training_flags

# task kind -> "module:function" building it (each task issue adds its own entry)
TASKS: dict[str, str] = {
    "forecast": "rnnlab.cli.forecast_task:build",
    "lm": "rnnlab.cli.lm_task:build_lm_task",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train", help="train a task from a TOML config (or resume a run directory)",
        description="Train the task described by CONFIG.toml ([task] kind = ..., [train] ...).",
    )
    parser.add_argument("config", nargs="?", type=Path, metavar="CONFIG.toml",
                        help="the run's config (not needed with --resume)")
    parser.add_argument("--run-dir", type=Path, default=None,
                        help="where the run writes its files (default: runs/<config name>)")
    parser.add_argument("--resume", type=Path, default=None, metavar="RUN_DIR",
                        help="continue this run from its newest good checkpoint")
    add_training_flags(parser)
    parser.set_defaults(func=run)


def resolve_builder(kind: Any) -> Any:
    """The builder function for ``kind`` (a registered name or ``module:function``)."""
    if not isinstance(kind, str) or not kind:
        raise ValueError(f"[task] kind: expected a task name, got {kind!r}")
    target = TASKS.get(kind, kind if ":" in kind else None)
    if target is None:
        raise ValueError(f"[task] kind: unknown task {kind!r}; known: {sorted(TASKS)} "
                         "(or give 'package.module:function')")
    module_name, _, func_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise ValueError(f"[task] kind {kind!r}: cannot import {module_name}: {err}") from None
    builder = getattr(module, func_name, None)
    if not callable(builder):
        raise ValueError(f"[task] kind {kind!r}: {target} is not a function")
    return builder


def run(args: argparse.Namespace) -> int:
    from rnnlab.config import apply_overrides, from_dict, load_toml
    from rnnlab.training import (
        CheckpointError,
        NonFiniteLossError,
        TrainConfig,
        Trainer,
        seed_everything,
    )

    if args.resume is not None:
        run_dir = args.resume
        if not (run_dir / "config.toml").is_file():
            raise FileNotFoundError(f"--resume: no config.toml in {run_dir}")
        if args.config is not None:
            raise ValueError("give either CONFIG.toml or --resume RUN_DIR, not both "
                             "(a resumed run keeps its own config; use --set to change it)")
        data = load_toml(run_dir / "config.toml")
    elif args.config is not None:
        data = load_toml(args.config)
        run_dir = args.run_dir or Path("runs") / args.config.stem
    else:
        raise ValueError("expected CONFIG.toml or --resume RUN_DIR")
    data = apply_overrides(data, args.overrides)
    if args.quiet:
        data.setdefault("train", {})["progress"] = False
        logging.getLogger("rnnlab").setLevel(logging.WARNING)
    task_section = data.get("task")
    if not isinstance(task_section, dict) or "kind" not in task_section:
        raise ValueError("the config needs a [task] table with kind = \"...\"")
    config = from_dict(TrainConfig, data.get("train", {}))
    builder = resolve_builder(task_section["kind"])
    seed_everything(config.seed)  # the model's initial weights depend on it
    task = builder(data, run_dir)
    extra = {k: v for k, v in data.items() if k != "train"}
    trainer = Trainer(task, config, run_dir, extra_config=extra)
    try:
        summary = trainer.fit(resume=args.resume is not None)
    except (NonFiniteLossError, CheckpointError) as err:
        print(f"rnnlab: error: {err}", file=sys.stderr)
        return 3
    if trainer.dist.is_main and not args.quiet:
        print(json.dumps(summary, indent=1, default=str))
    stopped = summary["stopped"]
    if stopped.startswith("signal:"):  # stopped cleanly, checkpoint saved; 128 + signal number
        return 130 if "SIGINT" in stopped else 143
    return 0
