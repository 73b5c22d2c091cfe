"""The ``rnnlab`` command: ``rnnlab <task> <verb> ...``.

Each command lives in its own module under ``rnnlab.cli`` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` to the
function that runs it. Commands are imported when the parser is built, which is
cheap: the heavy imports happen inside the command functions.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

# one module per command, in the order ``rnnlab --help`` lists them
COMMAND_MODULES = (
    "rnnlab.cli.demo",
    "rnnlab.cli.train",
    "rnnlab.cli.forecast",
    "rnnlab.cli.lm",
    "rnnlab.cli.diagnose",
)


def build_parser() -> argparse.ArgumentParser:
    from rnnlab import __version__

    parser = argparse.ArgumentParser(
        prog="rnnlab",
        description="Recurrent neural networks on PyTorch: train, evaluate, generate, forecast.",
    )
    parser.add_argument("--version", action="version", version=f"rnnlab {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as err:
        # errors at the public boundary already say what was expected and what came:
        # print them without a traceback; anything else is a bug and keeps its traceback
        from rnnlab.training import CheckpointError, NonFiniteLossError

        if args.verbose or not isinstance(
            err, (ValueError, FileNotFoundError, CheckpointError, NonFiniteLossError)
        ):
            raise
        print(f"rnnlab: error: {err}", file=sys.stderr)
        return 3 if isinstance(err, (CheckpointError, NonFiniteLossError)) else 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
