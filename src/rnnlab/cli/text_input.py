"""Texts for ``predict`` commands: from arguments, a file (one text a line) or stdin."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_text_input(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("texts", nargs="*", metavar="TEXT",
                        help="texts to read (none, or '-': one text per line from stdin)")
    parser.add_argument("--file", type=Path, default=None,
                        help="read the texts from this file, one per line")


def read_texts(args: argparse.Namespace) -> list[str]:
    from rnnlab.data.reading import read_lines

    if args.file is not None:
        if args.texts:
            raise ValueError("give texts as arguments or --file FILE, not both")
        return read_lines(args.file)
    if args.texts and args.texts != ["-"]:
        return list(args.texts)
    lines = [line.rstrip("\n") for line in sys.stdin]
    texts = [line for line in lines if line.strip()]
    if not texts:
        raise ValueError("no text given: pass TEXT arguments, --file FILE, or lines on stdin")
    return texts
