"""The ``rnnlab`` command: ``rnnlab <task> <verb> ...``.

Each command lives in its own module under ``rnnlab.cli`` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` to the
function that runs it; the work itself is done by :mod:`rnnlab.tasks` and
below. Errors in what the user gave (a config, a flag, a file, a run
directory) are printed as ``rnnlab: error: …`` with exit status 2, no traceback.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import logging
import signal
import sys
import threading

from rnnlab.cli.arguments import stop_now

# one module per command, in the order ``rnnlab --help`` lists them
COMMAND_MODULES = (
    "rnnlab.cli.demo",
    "rnnlab.cli.train",
    "rnnlab.cli.lm",
    "rnnlab.cli.forecast",
    "rnnlab.cli.translate",
    "rnnlab.cli.condgen",
    "rnnlab.cli.classify",
    "rnnlab.cli.tag",
    "rnnlab.cli.diagnose",
    "rnnlab.cli.compare",
    "rnnlab.cli.export",
)
# small recurrent models run fastest on one intra-op thread on a shared CPU (docs/training.md)
DEFAULT_THREADS = 1


def build_parser() -> argparse.ArgumentParser:
    from rnnlab import __version__

    parser = argparse.ArgumentParser(
        prog="rnnlab",
        description="Recurrent neural networks on PyTorch: language models, forecasting, "
                    "classification, tagging, translation, and the models set beside them.",
        formatter_class=DefaultsFormatter,
    )
    parser.add_argument("--version", action="version", version=f"rnnlab {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="debug logging, and tracebacks on errors")
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS,
                        help="torch intra-op threads (small recurrent models are fastest on one)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    for action in subparsers.choices.values():  # every default shown in every --help
        _show_defaults(action)
    return parser


class DefaultsFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Every option's default in its help, except where there is none to show (None, a flag
    that is off) or the help already says it."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if action.default in (None, False) or "default" in text:
            return text
        return super()._get_help_string(action)


def _show_defaults(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = DefaultsFormatter
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _show_defaults(sub)


def main(argv: list[str] | None = None) -> int:
    """Run one command; SIGINT/SIGTERM outside a fit end it with 130/143 and a message
    (``stop_now``); the handlers before the call are restored after it."""
    previous = {}
    if threading.current_thread() is threading.main_thread():  # first: start-up takes seconds
        previous = {sig: signal.signal(sig, stop_now) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return _main(argv)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    if args.threads < 1:
        parser.error(f"--threads: expected >= 1, got {args.threads}")
    try:
        import torch

        torch.set_num_threads(args.threads)
        return int(args.func(args) or 0)
    except KeyboardInterrupt:  # a second Ctrl-C inside a fit (a stuck step)
        print("rnnlab: stopped by SIGINT", file=sys.stderr)
        return 130
    except Exception as err:
        # errors at the public boundary say what was expected and what came: print them
        # without a traceback; anything else is a bug and keeps its traceback
        if args.verbose or not _user_error(err):
            raise
        print(f"rnnlab: error: {_describe(err)}", file=sys.stderr)
        return 3 if type(err).__name__ == "NonFiniteLossError" else 2


# a file system that refuses (read-only, permissions, full disk) is the environment, not a bug
_REFUSED = {errno.EACCES: "permission denied", errno.EPERM: "not permitted",
            errno.EROFS: "cannot write on a read-only file system",
            errno.ENOSPC: "no space left on the device", errno.EDQUOT: "disk quota exceeded"}


def _user_error(err: Exception) -> bool:
    from rnnlab.training import CheckpointError, NonFiniteLossError

    if isinstance(err, OSError) and err.errno in _REFUSED and err.filename is not None:
        return True
    return isinstance(err, (ValueError, FileNotFoundError, NotADirectoryError, IsADirectoryError,
                            PermissionError, CheckpointError, NonFiniteLossError))


def _describe(err: Exception) -> str:
    if isinstance(err, OSError) and err.errno in _REFUSED and err.filename is not None:
        return f"{_REFUSED[err.errno]}: {err.filename}"
    return str(err)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
