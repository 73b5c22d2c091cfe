"""What every training command shares, defined once: flags, the run-directory rule, the run.

One spelling per option across commands: ``--run-dir``, ``--resume RUN_DIR``,
``--set SECTION.FIELD=VALUE``, ``--quiet``, and the model and training flags
below map onto the same config fields wherever they appear.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# flags shared by the task commands: argparse dest -> (section, field)
MODEL_FLAGS = {
    "encoder": ("model", "encoder"),
    "cell": ("model", "cell"),
    "hidden_size": ("model", "hidden_size"),
    "num_layers": ("model", "num_layers"),
    "epochs": ("train", "epochs"),
    "lr": ("train", "lr"),
    "seed": ("train", "seed"),
}


def add_training_flags(parser: argparse.ArgumentParser, *, model: bool = True) -> None:
    """CONFIG.toml, --run-dir, --resume, --set, --quiet (and the model/training flags)."""
    parser.add_argument("config", nargs="?", type=Path, metavar="CONFIG.toml",
                        help="the run's config (sections as in `rnnlab config TASK`); flags and "
                             "--set override it")
    parser.add_argument("--run-dir", type=Path, default=None,
                        help="where the run is written (default: runs/<CONFIG name>, or "
                             "runs/<task> without a config); must not hold a run already")
    parser.add_argument("--resume", type=Path, default=None, metavar="RUN_DIR",
                        help="continue this run from its newest good checkpoint, then finish it "
                             "(evaluation, report); only train.* fields may change")
    parser.add_argument("--set", action="append", default=[], dest="overrides",
                        metavar="SECTION.FIELD=VALUE",
                        help="override a config field; repeatable (e.g. --set train.lr=0.5)")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress bar or log lines (train.progress = false); results "
                             "are still printed")
    if model:
        parser.add_argument("--encoder", help="model.encoder: rnn (any --cell), transformer, "
                                              "cnn, mlp (see docs/comparison.md)")
        parser.add_argument("--cell", help="model.cell: elman-tanh, elman-relu, elman-sigmoid, "
                                           "lstm, gru, ln-lstm, ln-gru, zoneout-lstm, "
                                           "zoneout-gru (docs/layers.md)")
        parser.add_argument("--hidden-size", type=int, help="model.hidden_size")
        parser.add_argument("--num-layers", type=int, help="model.num_layers")
    parser.add_argument("--epochs", type=int, help="train.epochs")
    parser.add_argument("--lr", type=float, help="train.lr")
    parser.add_argument("--seed", type=int, help="train.seed")


def flag_values(args: argparse.Namespace, table: Mapping[str, tuple[str, str]]) -> dict:
    """{(section, field): value} for every flag of ``table`` the user gave."""
    return {target: getattr(args, dest) for dest, target in table.items()
            if getattr(args, dest, None) is not None}


STOP_HINTS: list[tuple[str | None, Path]] = []  # (kind, run_dir) of a train command running


def stop_now(signum: int, frame: object) -> None:
    """SIGINT/SIGTERM outside a fit (start-up, reading data, the evaluation after it): leave
    at once with 130/143 and a message. Nothing is half-written (run files and checkpoints
    are written by rename), so this is a SIGKILL that says so; an exception raised here
    instead could land inside an import and leave a broken module and a traceback. Inside
    a fit the trainer's GracefulStop replaces this handler (a checkpoint, then the end)."""
    lines = [f"rnnlab: stopped by {signal.Signals(signum).name}"]
    for kind, run_dir in STOP_HINTS:
        lines.append(f"Finish it with: rnnlab {_command(kind)} --resume {run_dir}"
                     if (run_dir / "config.toml").is_file() else
                     f"nothing of {run_dir} was written yet: run the same command again")
    with contextlib.suppress(OSError, RuntimeError, ValueError):  # a pipe gone, a write cut
        sys.stdout.flush()
    os.write(2, "".join(f"{line}\n" for line in lines).encode())
    os._exit(128 + signum)


@contextlib.contextmanager
def _resume_hint(kind: str | None, run_dir: Path):
    """While a train command runs: if a signal ends it, say how to finish the run."""
    STOP_HINTS.append((kind, run_dir))
    try:
        yield
    finally:
        STOP_HINTS.pop()


def run_training(args: argparse.Namespace, kind: str | None,
                 flags: Mapping[tuple[str, str], Any]) -> Any:
    """Train a new run, or resume one, as the flags say; print how it ended.

    Returns the RunResult, or an exit status (130/143) when a signal stopped it.
    """
    from rnnlab.config import ConfigError, load_toml
    from rnnlab.tasks import resume, train

    overrides = list(args.overrides)
    if args.quiet:
        logging.getLogger("rnnlab").setLevel(logging.WARNING)
        overrides.append("train.progress=false")
    if args.resume is not None:
        if args.config is not None or args.run_dir is not None:
            raise ConfigError("--resume RUN_DIR continues that run with its own config: give "
                              "no CONFIG.toml and no --run-dir")
        others = sorted(f"{s}.{f}" for s, f in flags if s != "train")
        if others:
            raise ConfigError(f"a resumed run keeps its own data and model; only train.* can "
                              f"change, got {others}")
        overrides = [f"train.{f}={_toml(v)}" for (_, f), v in flags.items()] + overrides
        with _resume_hint(kind, Path(args.resume)):
            result = resume(args.resume, overrides=overrides)
    else:
        data: dict[str, Any] = load_toml(args.config) if args.config is not None else {}
        for (section, field), value in flags.items():
            data.setdefault(section, {})
            if not isinstance(data[section], dict):
                raise ConfigError(f"[{section}] must be a table")
            data[section][field] = value
        name = args.config.stem if args.config is not None else (kind or "run")
        run_dir = args.run_dir or Path("runs") / name
        with _resume_hint(kind, Path(run_dir)):
            result = train(data, run_dir, kind=kind, overrides=overrides)
    if result.interrupted:
        print(f"training stopped by {result.interrupted} at step {result.summary['steps']}; "
              f"the last checkpoint is saved. Finish it with: rnnlab "
              f"{_command(kind)} --resume {result.run_dir}", file=sys.stderr)
        return 130 if result.interrupted == "SIGINT" else 143
    if result.summary.get("last_checkpoint") is None and not result.summary["steps"]:
        print(f"fitted (counted, no training steps); run directory {result.run_dir}")
    else:
        print(f"trained {result.summary['steps']} steps ({result.summary['stopped']}); "
              f"run directory {result.run_dir}")
    return result


def _command(kind: str | None) -> str:
    return "train" if kind is None else f"{kind} train"


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, (int, float)) else f'"{value}"'


def add_run_dir_args(parser: argparse.ArgumentParser) -> None:
    """RUN_DIR, --which best|last, --device: the verbs that use a trained run."""
    parser.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    parser.add_argument("--which", default="best", choices=("best", "last"),
                        help="weights: best validation loss, or the last checkpoint")
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N or auto")


def train_and_report(args: argparse.Namespace, kind: str,
                     flags: Mapping[tuple[str, str], Any]) -> int:
    """:func:`run_training`, then print what the task's finish step reported (``describe()``)."""
    result = run_training(args, kind, flags)
    if isinstance(result, int):
        return result
    if result.report is not None:
        print(result.report.describe())
    return 0
