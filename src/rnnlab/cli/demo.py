"""``rnnlab demo``: a short end-to-end tour on data shipped inside the package.

The demo is a list of sections; each task contributes one function
``section(run_dir: Path, quick: bool) -> None`` that prints what it shows and
writes its files under ``run_dir/<name>``. The whole tour runs in a few
minutes on 2 CPU cores; ``--quick`` makes every section smaller still (tests).
"""

from __future__ import annotations

import argparse
import importlib
import time
from pathlib import Path

# (title, "module:function"), in the order the tour shows them
SECTIONS: list[tuple[str, str]] = [
    ("layers", "rnnlab.layers.demo:section"),
    ("language-model", "rnnlab.cli.lm_demo:section"),
    ("gradients", "rnnlab.diagnostics.demo:section"),
    ("forecast", "rnnlab.cli.forecast_demo:section"),
]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo", help="a short end-to-end tour on shipped data (a few minutes on CPU)"
    )
    parser.add_argument(
        "--run-dir", type=Path, default=Path("runs/demo"), help="where the tour writes its files"
    )
    parser.add_argument("--quick", action="store_true", help="a smaller, faster tour (seconds)")
    parser.add_argument(
        "--only", action="append", default=None, metavar="NAME",
        help="run only the named section(s); repeatable",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import torch

    torch.manual_seed(0)
    run_dir: Path = args.run_dir
    run_dir.mkdir(parents=True, exist_ok=True)
    sections = SECTIONS
    if args.only:
        known = {title for title, _ in SECTIONS}
        unknown = sorted(set(args.only) - known)
        if unknown:
            raise ValueError(f"unknown demo section(s) {unknown}; known: {sorted(known)}")
        sections = [s for s in SECTIONS if s[0] in args.only]
    start = time.perf_counter()
    for title, target in sections:
        module_name, func_name = target.split(":")
        print(f"\n=== {title} ===", flush=True)
        t0 = time.perf_counter()
        getattr(importlib.import_module(module_name), func_name)(run_dir / title, args.quick)
        print(f"({title}: {time.perf_counter() - t0:.1f} s)", flush=True)
    print(f"\nDemo finished in {time.perf_counter() - start:.1f} s; files in {run_dir}/")
    return 0
