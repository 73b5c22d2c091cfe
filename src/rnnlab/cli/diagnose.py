"""``rnnlab diagnose gradients RUN_DIR_OR_CONFIG`` and ``rnnlab diagnose compare``.

    rnnlab diagnose gradients runs/lm            # a trained run: spectra, flow, saturation, norms
    rnnlab diagnose gradients layer.toml         # a fresh layer described by a config
    rnnlab diagnose compare                      # Elman tanh/sigmoid vs LSTM vs GRU, quick preset
    rnnlab diagnose compare --full               # 5 distances, 3 seeds, 1500 steps (est. ~1 h)
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "diagnose", help="gradient flow through time, Jacobians, gate saturation; Elman vs LSTM"
    )
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)

    g = verbs.add_parser("gradients", help="diagnose a run directory or a layer config (TOML)")
    g.add_argument("target", type=Path, metavar="RUN_DIR_OR_CONFIG")
    g.add_argument("--out", type=Path, default=None,
                   help="output folder (default: RUN_DIR/diagnostics or runs/diagnose-NAME)")
    g.add_argument("--length", type=int, default=None, help="probe sequence length T")
    g.add_argument("--batch-size", type=int, default=None, help="probe sequences")
    g.set_defaults(func=run_gradients)

    c = verbs.add_parser("compare", help="Elman (tanh, sigmoid) vs LSTM vs GRU on delayed recall")
    c.add_argument("--preset", choices=("quick", "full"), default="quick",
                   help="quick: 2 distances, 2 seeds, 600 steps (minutes); full: 5 distances, "
                        "3 seeds, 1500 steps")
    c.add_argument("--full", dest="preset", action="store_const", const="full",
                   help="shorthand for --preset full")
    c.add_argument("--run-dir", type=Path, default=Path("runs/diagnose-compare"),
                   help="where the report and pictures go")
    c.add_argument("--cells", nargs="+", default=None, metavar="CELL",
                   help="subset of elman-tanh elman-sigmoid elman-relu lstm gru")
    c.add_argument("--distances", nargs="+", type=int, default=None, metavar="D",
                   help="recall distances (default: the preset's)")
    c.add_argument("--seeds", nargs="+", type=int, default=None, metavar="SEED",
                   help="seeds, each its own init and batches (default: the preset's)")
    c.add_argument("--clip", nargs="+", type=float, default=None, metavar="THETA",
                   help="clip-by-norm settings to compare; 0 = no clipping")
    c.add_argument("--steps", type=int, default=None, help="training steps (default: the preset's)")
    c.add_argument("--lr", type=float, default=None, help="learning rate (default: the preset's)")
    c.add_argument("--hidden-size", type=int, default=None,
                   help="hidden units (default: the preset's)")
    c.add_argument("--forget-bias", type=float, default=None,
                   help="LSTM forget / GRU update gate bias at init (preset: 3.0)")
    c.set_defaults(func=run_compare)


def run_gradients(args: argparse.Namespace) -> int:
    from rnnlab.diagnostics.inspect import diagnose_gradients

    for name in ("length", "batch_size"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise ValueError(f"expected --{name.replace('_', '-')} >= 1, got {value}")
    path = diagnose_gradients(args.target, args.out, args.length, args.batch_size)
    print(path.read_text(encoding="utf-8"))
    print(f"report and PNGs in {path.parent}/")
    return 0


def run_compare(args: argparse.Namespace) -> int:
    from rnnlab.diagnostics.compare import preset
    from rnnlab.diagnostics.compare import run_compare as run

    config = preset(
        args.preset,
        cells=tuple(args.cells) if args.cells else None,
        distances=tuple(args.distances) if args.distances else None,
        seeds=tuple(args.seeds) if args.seeds else None,
        clip_norms=tuple(args.clip) if args.clip else None,
        steps=args.steps, lr=args.lr, hidden_size=args.hidden_size,
        forget_bias=args.forget_bias,
    )
    run(config, args.run_dir, progress=lambda line: print(line, flush=True))
    return 0
