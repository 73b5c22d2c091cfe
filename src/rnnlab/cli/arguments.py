"""Flags that every training command shares, defined once."""

from __future__ import annotations

import argparse


def add_training_flags(parser: argparse.ArgumentParser) -> None:
    """``--set SECTION.FIELD=VALUE`` (repeatable, into ``args.overrides``) and ``--quiet``."""
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        dest="overrides",
        metavar="SECTION.FIELD=VALUE",
        help="override a config field; repeatable (e.g. --set train.lr=0.5 --set train.epochs=3)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar or log lines")
