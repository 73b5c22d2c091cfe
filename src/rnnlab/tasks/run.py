"""The one train recipe: config -> checks -> seed -> build -> Trainer -> fit or resume -> finish.

(A kind whose model is not trained by gradient descent — the n-gram model's
counts — gives ``TaskKind.fit``, which takes the Trainer's place.)

Every command (``rnnlab train``, ``rnnlab lm train``, ``rnnlab forecast train``),
every demo section and every example trains through :func:`train` or
:func:`resume`, so they share one meaning of every option::

    result = train({"task": {"kind": "lm"}, "train": {"epochs": 2}}, "runs/lm")
    result = resume("runs/lm", overrides=["train.epochs=4"])   # a longer run

The order matters and is the point of this module: everything that can be
checked without reading data (the config, the run directory) is checked first,
so a mistake costs nothing and a refused command leaves existing files exactly
as they were; only then is the data read and the model built.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rnnlab.config import ConfigError, parse_override
from rnnlab.tasks.config import CONFIG_FILE, RunConfig
from rnnlab.tasks.registry import get_task, load_run_config, resolve_config
from rnnlab.training import Trainer, seed_everything
from rnnlab.training.checkpoint import step_checkpoints
from rnnlab.training.files import check_writable


@dataclass
class RunResult:
    """What a training command returns: where the run is, how training ended, the task's report."""

    run_dir: Path
    config: RunConfig
    summary: dict[str, Any]  # the trainer's (steps, epochs, why it stopped, best validation …)
    report: Any = None  # what the task's finish() returned (evaluation, tables); None if stopped

    @property
    def interrupted(self) -> str | None:
        """The signal that stopped training ("SIGINT", "SIGTERM"), or None."""
        stopped = str(self.summary.get("stopped", ""))
        return stopped.split(":", 1)[1] if stopped.startswith("signal:") else None


def check_new_run_dir(run_dir: str | Path) -> Path:
    """Refuse a run directory that already holds a run, or that cannot be written."""
    run_dir = Path(run_dir)
    if run_dir.exists() and not run_dir.is_dir():
        raise ConfigError(f"run directory {run_dir} is a file, not a folder")
    held = [name for name in (CONFIG_FILE,) if (run_dir / name).exists()]
    checkpoints = step_checkpoints(run_dir)
    if held or checkpoints:
        what = ", ".join(held + ([f"{len(checkpoints)} checkpoint(s)"] if checkpoints else []))
        raise ConfigError(
            f"run directory {run_dir} already holds a run ({what}): resume it with "
            f"--resume {run_dir}, or choose another --run-dir"
        )
    check_writable(run_dir)
    return run_dir


def train(
    config: RunConfig | Mapping[str, Any] | str | Path | None,
    run_dir: str | Path,
    *,
    kind: str | None = None,
    overrides: Iterable[str] = (),
    callbacks: Iterable[Any] = (),
    replace: bool = False,
) -> RunResult:
    """Train a new run into ``run_dir``; then the task's finish step (evaluation, report).

    ``config`` is a RunConfig, a dict, a TOML path or None (the task's defaults;
    then ``kind`` names the task). ``replace=True`` deletes a previous run in
    ``run_dir`` first (the demo does, and says so); otherwise such a directory is
    refused. Training stopped by a signal returns with ``interrupted`` set and no
    finish step: :func:`resume` continues it and finishes the job.
    """
    if not isinstance(config, RunConfig):
        config = resolve_config(config, kind=kind, overrides=overrides)
    elif (kind is not None and kind != config.kind) or list(overrides):
        raise ValueError("give kind/overrides with a dict or a path, not with a RunConfig")
    run_dir = Path(run_dir)
    if replace and run_dir.is_dir():
        check_writable(run_dir.parent)
        shutil.rmtree(run_dir)
    check_new_run_dir(run_dir)
    return _fit(config, run_dir, resume=False, callbacks=callbacks)


def resume(run_dir: str | Path, *, overrides: Iterable[str] = (),
           callbacks: Iterable[Any] = ()) -> RunResult:
    """Continue a run from its newest good checkpoint, then finish it as :func:`train` would.

    Only ``train.*`` fields may change (``train.epochs=20`` to train longer, a new
    ``train.lr``): the data and the model are the run's own. The trainer applies
    the change, or refuses one the checkpoint cannot honour.
    """
    run_dir = Path(run_dir)
    overrides = list(overrides)
    for text in overrides:
        path, _ = parse_override(text)
        if path[0] != "train" or len(path) != 2:
            raise ConfigError(f"a resumed run keeps its own data and model; only train.* fields "
                              f"can change, got {text!r}")
    if not run_dir.is_dir():
        raise FileNotFoundError(f"--resume: run directory not found: {run_dir}")
    config = load_run_config(run_dir, overrides)
    check_writable(run_dir)
    return _fit(config, run_dir, resume=True, callbacks=callbacks)


def _fit(config: RunConfig, run_dir: Path, *, resume: bool, callbacks: Iterable[Any]) -> RunResult:
    seed_everything(config.train.seed)  # the model's initial weights depend on it
    kind = get_task(config.kind)
    task = kind.build(config, run_dir)
    if kind.fit is not None:  # counted, not trained: the kind writes its own run directory
        result = RunResult(run_dir, config, kind.fit(config, run_dir, task))
        if kind.finish is not None:
            result.report = kind.finish(config, run_dir, task)
        return result
    trainer = Trainer(task, config.train, run_dir, extra_config=config.task_dict(),
                      callbacks=callbacks)
    summary = trainer.fit(resume=resume)
    result = RunResult(run_dir, config, summary)
    if result.interrupted is None and kind.finish is not None and trainer.dist.is_main:
        result.report = kind.finish(config, run_dir, task)
    return result
