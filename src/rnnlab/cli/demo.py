"""``rnnlab demo``: the tour of :mod:`rnnlab.demo` on shipped data (a few minutes on CPU)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    from rnnlab.demo import section_names

    parser = subparsers.add_parser(
        "demo", help="a short end-to-end tour on shipped data (a few minutes on CPU)",
        description="Layers, a language model, gradient flow, a forecast and a classifier, on data "
                    "shipped in the package. Running it again replaces the previous tour's files.")
    parser.add_argument("--run-dir", type=Path, default=Path("runs/demo"),
                        help="where the tour writes its files")
    parser.add_argument("--quick", action="store_true", help="a smaller, faster tour (seconds)")
    parser.add_argument("--only", action="append", default=None, metavar="NAME",
                        choices=section_names(),
                        help=f"run only this section; repeatable: {', '.join(section_names())}")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rnnlab.demo import run_demo

    run_demo(args.run_dir, args.quick, args.only)
    return 0
