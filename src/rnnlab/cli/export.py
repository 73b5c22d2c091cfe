"""``rnnlab export RUN --format onnx``: a trained run as ONNX graphs beside a metadata JSON.

::

    rnnlab export runs/lm-pt                      # -> runs/lm-pt/export/onnx/{step,sequence}.onnx
    rnnlab export runs/a001 --out deploy/a001     # -> deploy/a001/forecaster.onnx, export.json

What each graph takes and returns, and why the TorchScript-based exporter is used:
docs/deployment.md.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("export", help="export a trained run to ONNX (+ metadata JSON)")
    parser.add_argument("run_dir", type=Path, metavar="RUN")
    parser.add_argument("--format", default="onnx", choices=("onnx",), help="the export format")
    parser.add_argument("--out", type=Path, default=None, help="folder (default RUN/export/onnx)")
    parser.add_argument("--which", default="best", choices=("best", "last"),
                        help="weights: best validation loss, or the last checkpoint")
    parser.set_defaults(func=run_export)


def run_export(args: argparse.Namespace) -> int:
    from rnnlab.tasks.export import export_run

    meta_path = export_run(args.run_dir, args.out, args.format, args.which)
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    for name, graph in meta["graphs"].items():
        print(f"{name:>10}: {meta_path.parent / graph['file']}")
    print(f"  metadata: {meta_path}")
    return 0
