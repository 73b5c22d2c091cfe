"""``rnnlab forecast train|evaluate|ensemble|predict``: forecast a weather station or any CSV.

    rnnlab forecast train --data ../shared/data/inmet-a001-brasilia --target temp \\
        --lookback 72 --horizon 24 --train-end 2023-10-01 --valid-end 2024-01-01 \\
        --cell gru --run-dir runs/a001
    rnnlab forecast evaluate runs/a001            # model vs persistence, seasonal naive, linear AR
    rnnlab forecast ensemble runs/a001 runs/a001-seed1 runs/a001-lstm --run-dir runs/mean3
    rnnlab forecast predict runs/a001 --data INMET_FILE.CSV --out next24h.csv --plot next24h.png

``train`` takes a TOML config (``rnnlab config forecast`` lists every field)
and/or flags; ``--set section.field=value`` overrides anything. After training
it evaluates on the test split and writes report.md, evaluation.json and plots.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rnnlab.cli.arguments import MODEL_FLAGS, add_training_flags, flag_values, run_training

FORECAST_FLAGS = {
    **MODEL_FLAGS,
    "format": ("data", "format"),
    "lookback": ("window", "lookback"),
    "horizon": ("window", "horizon"),
    "train_end": ("split", "train_end"),
    "valid_end": ("split", "valid_end"),
    "strategy": ("model", "strategy"),
    "output": ("model", "output"),
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("forecast", help="time-series forecasting (INMET, any CSV)")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)

    train = verbs.add_parser("train", help="train a forecaster, then evaluate it on test")
    add_training_flags(train)
    train.add_argument("--data", action="append", help="INMET file/folder or CSV; repeatable")
    train.add_argument("--format", choices=("auto", "inmet", "csv"))
    train.add_argument("--target", action="append", help="column to forecast; repeatable")
    train.add_argument("--inputs", help="extra input columns, comma-separated")
    train.add_argument("--lookback", type=int, help="window.lookback: input steps")
    train.add_argument("--horizon", type=int, help="window.horizon: steps forecast")
    train.add_argument("--train-end", type=_fraction_or_text,
                       help="timestamp or fraction ending the training split")
    train.add_argument("--valid-end", type=_fraction_or_text,
                       help="timestamp or fraction ending the validation split")
    train.add_argument("--strategy", choices=("direct", "recursive", "seq2seq"))
    train.add_argument("--output", choices=("point", "gaussian", "quantile"))
    train.set_defaults(func=run_train)

    evaluate = verbs.add_parser("evaluate", help="score a run against the baselines")
    evaluate.add_argument("run_dir", type=Path)
    evaluate.add_argument("--split", default="auto", choices=("auto", "valid", "test"),
                          help="auto: test if the split has windows, else valid")
    evaluate.add_argument("--data", action="append", help="other data (default: the run's)")
    evaluate.set_defaults(func=run_evaluate)

    ensemble = verbs.add_parser(
        "ensemble", help="average trained runs into one forecaster, then evaluate it")
    ensemble.add_argument("members", nargs="+", type=Path, metavar="RUN_DIR")
    ensemble.add_argument("--run-dir", type=Path, required=True, help="where the ensemble goes")
    ensemble.set_defaults(func=run_ensemble)

    predict = verbs.add_parser("predict", help="forecast the next horizon from any file")
    predict.add_argument("run_dir", type=Path)
    predict.add_argument("--data", action="append", required=True, help="INMET file(s) or CSV")
    predict.add_argument("--origin", help="forecast from this timestamp (default: after the end)")
    predict.add_argument("--out", type=Path, default=None, help="CSV (default RUN_DIR/predict.csv)")
    predict.add_argument("--plot", type=Path, default=None, help="PNG (default beside the CSV)")
    predict.add_argument("--engine", default="torch", choices=("torch", "onnxruntime"),
                         help="run the model in PyTorch or on onnxruntime (exports it first)")
    predict.set_defaults(func=run_predict)


def _fraction_or_text(value: str) -> float | str:
    try:
        return float(value)
    except ValueError:
        return value


def run_train(args: argparse.Namespace) -> int:
    flags = flag_values(args, FORECAST_FLAGS)
    if args.data:  # absolute, so evaluate/predict work from any directory
        flags["data", "path"] = [str(Path(p).resolve()) for p in args.data]
    if args.target:
        flags["window", "targets"] = args.target
    if args.inputs is not None:
        flags["window", "inputs"] = [c for c in args.inputs.split(",") if c]
    result = run_training(args, "forecast", flags)
    if isinstance(result, int):
        return result
    _print_report(result.report, result.run_dir)
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from rnnlab.tasks.forecast import evaluate_run

    _print_report(evaluate_run(args.run_dir, args.split, args.data), args.run_dir)
    return 0


def _print_report(report: dict, run_dir: Path) -> None:
    from rnnlab.evaluation.forecast_report import dm_markdown

    print(report["table"])
    if report["dm_vs_linear_ar"]:
        print("\nDiebold–Mariano test against the linear AR (negative: lower loss; p two-sided)")
        print(dm_markdown(report["dm_vs_linear_ar"], "linear_ar"))
    print(f"report: {Path(run_dir) / 'report.md'}")


def run_ensemble(args: argparse.Namespace) -> int:
    from rnnlab.tasks.forecast import ENSEMBLE_FILE, evaluate_run, write_ensemble

    write_ensemble(args.members, args.run_dir)
    print(f"ensemble of {len(args.members)} runs: {args.run_dir / ENSEMBLE_FILE}")
    _print_report(evaluate_run(args.run_dir, "auto"), args.run_dir)
    return 0


def run_predict(args: argparse.Namespace) -> int:
    from rnnlab.tasks.forecast import predict_run

    out = args.out or args.run_dir / "predict.csv"
    plot = args.plot or out.with_suffix(".png")
    engine = None
    if args.engine == "onnxruntime":
        from rnnlab.tasks.export.engine import OrtForecaster

        engine = OrtForecaster(args.run_dir)
    frame = predict_run(args.run_dir, args.data, out, plot, args.origin, engine)
    print(frame.to_string(index=False))
    print(f"wrote {out} and {plot}")
    return 0
