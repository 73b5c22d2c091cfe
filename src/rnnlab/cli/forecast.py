"""``rnnlab forecast train|evaluate|ensemble|predict``: forecast a weather station or any CSV.

    rnnlab forecast train --data ../shared/data/inmet-a001-brasilia --target temp \\
        --lookback 72 --horizon 24 --train-end 2023-10-01 --valid-end 2024-01-01 \\
        --cell gru --run-dir runs/a001
    rnnlab forecast evaluate runs/a001            # model vs persistence, seasonal naive, linear AR
    rnnlab forecast ensemble runs/a001 runs/a001-seed1 runs/a001-lstm --run-dir runs/mean3
    rnnlab forecast predict runs/a001 --data INMET_FILE.CSV --out next24h.csv --plot next24h.png

``train`` takes a TOML config (sections of ``rnnlab.cli.forecast_task``) and/or
flags; ``--set section.field=value`` overrides anything. After training it
evaluates on the test split and writes report.md, evaluation.json and plots.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rnnlab.cli.arguments import add_training_flags


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("forecast", help="time-series forecasting (INMET, any CSV)")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)

    train = verbs.add_parser("train", help="train a forecaster, then evaluate it on test")
    train.add_argument("config", nargs="?", type=Path, metavar="CONFIG.toml")
    train.add_argument("--data", action="append", help="INMET file/folder or CSV; repeatable")
    train.add_argument("--format", choices=("auto", "inmet", "csv"))
    train.add_argument("--target", action="append", help="column to forecast; repeatable")
    train.add_argument("--inputs", help="extra input columns, comma-separated")
    train.add_argument("--lookback", type=int)
    train.add_argument("--horizon", type=int)
    train.add_argument("--train-end", help="timestamp or fraction ending the training split")
    train.add_argument("--valid-end", help="timestamp or fraction ending the validation split")
    train.add_argument(
        "--cell", help="elman-tanh | elman-relu | elman-sigmoid | lstm | gru (a registered cell)"
    )
    train.add_argument("--strategy", choices=("direct", "recursive", "seq2seq"))
    train.add_argument("--output", choices=("point", "gaussian", "quantile"))
    train.add_argument("--hidden", type=int, help="hidden size")
    train.add_argument("--epochs", type=int)
    train.add_argument("--run-dir", type=Path, default=Path("runs/forecast"))
    add_training_flags(train)
    train.set_defaults(func=run_train)

    evaluate = verbs.add_parser("evaluate", help="score a run against the baselines")
    evaluate.add_argument("run_dir", type=Path)
    evaluate.add_argument(
        "--split",
        default="auto",
        choices=("auto", "valid", "test"),
        help="auto: test if the split has windows, else valid",
    )
    evaluate.add_argument("--data", action="append", help="other data (default: the run's)")
    evaluate.set_defaults(func=run_evaluate)

    ensemble = verbs.add_parser(
        "ensemble", help="average trained runs into one forecaster, then evaluate it"
    )
    ensemble.add_argument("members", nargs="+", type=Path, metavar="RUN_DIR")
    ensemble.add_argument("--run-dir", type=Path, required=True, help="where the ensemble goes")
    ensemble.set_defaults(func=run_ensemble)

    predict = verbs.add_parser("predict", help="forecast the next horizon from any file")
    predict.add_argument("run_dir", type=Path)
    predict.add_argument("--data", action="append", required=True, help="INMET file(s) or CSV")
    predict.add_argument("--origin", help="forecast from this timestamp (default: after the end)")
    predict.add_argument("--out", type=Path, default=None, help="CSV (default RUN_DIR/predict.csv)")
    predict.add_argument("--plot", type=Path, default=None, help="PNG (default beside the CSV)")
    predict.set_defaults(func=run_predict)


_FLAGS = {  # argparse dest -> (section, field)
    "format": ("data", "format"),
    "lookback": ("window", "lookback"),
    "horizon": ("window", "horizon"),
    "train_end": ("split", "train_end"),
    "valid_end": ("split", "valid_end"),
    "cell": ("model", "cell"),
    "strategy": ("model", "strategy"),
    "output": ("model", "output"),
    "hidden": ("model", "hidden_size"),
    "epochs": ("train", "epochs"),
}


def train_config(args: argparse.Namespace) -> dict[str, Any]:
    """Config file, then flags, then ``--set`` overrides."""
    from rnnlab.config import apply_overrides, load_toml

    data: dict[str, Any] = load_toml(args.config) if args.config else {}
    data.setdefault("task", {"kind": "forecast"})
    for dest, (section, field) in _FLAGS.items():
        value = getattr(args, dest)
        if value is not None:
            if dest in ("train_end", "valid_end"):
                value = _fraction_or_text(value)
            data.setdefault(section, {})[field] = value
    if args.data:  # absolute, so evaluate/predict work from any directory
        data.setdefault("data", {})["path"] = [str(Path(p).resolve()) for p in args.data]
    if args.target:
        data.setdefault("window", {})["targets"] = args.target
    if args.inputs is not None:
        data.setdefault("window", {})["inputs"] = [c for c in args.inputs.split(",") if c]
    return apply_overrides(data, args.overrides)


def _fraction_or_text(value: str) -> float | str:
    try:
        return float(value)
    except ValueError:
        return value


def run_train(args: argparse.Namespace) -> int:
    import logging

    from rnnlab.cli.forecast_task import build
    from rnnlab.config import from_dict
    from rnnlab.training import TrainConfig, Trainer, seed_everything

    config = train_config(args)
    if args.quiet:
        config.setdefault("train", {})["progress"] = False
        logging.getLogger("rnnlab").setLevel(logging.WARNING)
    train = from_dict(TrainConfig, config.get("train", {}))
    seed_everything(train.seed)
    task = build(config, args.run_dir)
    extra = {k: v for k, v in config.items() if k != "train"}
    summary = Trainer(task, train, args.run_dir, extra_config=extra).fit()
    print(f"trained: {summary.get('stopped')}; run directory {args.run_dir}")
    return run_evaluate(argparse.Namespace(run_dir=args.run_dir, split="auto", data=None))


def run_evaluate(args: argparse.Namespace) -> int:
    from rnnlab.cli.forecast_run import evaluate_run
    from rnnlab.evaluation.forecast_report import dm_markdown

    report = evaluate_run(args.run_dir, args.split, args.data)
    print(report["table"])
    if report["dm_vs_linear_ar"]:
        print("\nDiebold–Mariano test against the linear AR (negative: lower loss; p two-sided)")
        print(dm_markdown(report["dm_vs_linear_ar"], "linear_ar"))
    print(f"report: {args.run_dir / 'report.md'}")
    return 0


def run_ensemble(args: argparse.Namespace) -> int:
    from rnnlab.cli.forecast_ensemble import ENSEMBLE_FILE, write_ensemble

    write_ensemble(args.members, args.run_dir)
    print(f"ensemble of {len(args.members)} runs: {args.run_dir / ENSEMBLE_FILE}")
    return run_evaluate(argparse.Namespace(run_dir=args.run_dir, split="auto", data=None))


def run_predict(args: argparse.Namespace) -> int:
    from rnnlab.cli.forecast_run import predict_run

    out = args.out or args.run_dir / "predict.csv"
    plot = args.plot or out.with_suffix(".png")
    frame = predict_run(args.run_dir, args.data, out, plot, args.origin)
    print(frame.to_string(index=False))
    print(f"wrote {out} and {plot}")
    return 0


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, default=str)
