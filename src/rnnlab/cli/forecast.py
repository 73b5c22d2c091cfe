"""``rnnlab forecast train|evaluate|ensemble|predict``: forecast a weather station or any CSV.

    rnnlab forecast train --data ../shared/data/inmet-a001-brasilia --target temp \\
        --lookback 72 --horizon 24 --train-end 2023-10-01 --valid-end 2024-01-01 \\
        --cell gru --run-dir runs/a001
    rnnlab forecast evaluate runs/a001            # model vs persistence, seasonal naive, linear AR
    rnnlab forecast evaluate runs/a001 --data A001_2025.CSV --start 2025-02-01 --end 2025-03-01
    rnnlab forecast ensemble runs/a001 runs/a001-seed1 runs/a001-lstm --run-dir runs/mean3
    rnnlab forecast predict runs/a001 --data INMET_FILE.CSV --out next24h.csv --plot next24h.png
    rnnlab forecast predict runs/a001 --data A001_2025.CSV --start 2025-03-01 --end 2025-04-01 \
        --every 24h --out march.csv

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
    train.add_argument("--format", choices=("auto", "inmet", "csv"),
                       help="data.format (default: auto, from the file's first line)")
    train.add_argument("--target", action="append", help="column to forecast; repeatable")
    train.add_argument("--inputs", help="extra input columns, comma-separated")
    train.add_argument("--lookback", type=int, help="window.lookback: input steps")
    train.add_argument("--horizon", type=int, help="window.horizon: steps forecast")
    train.add_argument("--train-end", type=_fraction_or_text,
                       help="timestamp or fraction ending the training split")
    train.add_argument("--valid-end", type=_fraction_or_text,
                       help="timestamp or fraction ending the validation split")
    train.add_argument("--strategy", choices=("direct", "recursive", "seq2seq"),
                       help="model.strategy (default: the config's; `rnnlab config forecast`)")
    train.add_argument("--output", choices=("point", "gaussian", "quantile"),
                       help="model.output (default: the config's)")
    train.set_defaults(func=run_train)

    evaluate = verbs.add_parser(
        "evaluate", help="score a run against the baselines on its test split or on any data; "
                         "the report goes to RUN/evaluations/NAME/ (or --out)")
    evaluate.add_argument("run_dir", type=Path)
    evaluate.add_argument("--split", default="auto", choices=("auto", "valid", "test"),
                          help="of the run's own data: auto = test if the split has windows, "
                               "else valid")
    evaluate.add_argument("--data", action="append",
                          help="other data, read whole, no split (default: the run's); repeatable")
    evaluate.add_argument("--start", help="score only windows whose targets are at or after this")
    evaluate.add_argument("--end", help="... and before this timestamp")
    evaluate.add_argument("--name", help="RUN/evaluations/NAME (default: from data and period)")
    evaluate.add_argument("--out", type=Path, help="write the report here instead (read-only run)")
    evaluate.set_defaults(func=run_evaluate)

    ensemble = verbs.add_parser(
        "ensemble", help="average trained runs into one forecaster, then evaluate it")
    ensemble.add_argument("members", nargs="+", type=Path, metavar="RUN_DIR")
    ensemble.add_argument("--run-dir", type=Path, required=True, help="where the ensemble goes")
    ensemble.set_defaults(func=run_ensemble)

    predict = verbs.add_parser("predict", help="forecast the next horizon from any file")
    predict.add_argument("run_dir", type=Path)
    predict.add_argument("--data", action="append", required=True, help="INMET file(s) or CSV")
    predict.add_argument("--origin", help="forecast from this timestamp, the first forecast "
                                          "step (default: after the end of the data)")
    predict.add_argument("--start", help="rolling: first origin")
    predict.add_argument("--end", help="rolling: origins before this timestamp")
    predict.add_argument("--every", help="rolling: step between origins, e.g. 24h (default 1 step)")
    predict.add_argument("--impute-limit", type=int, default=None,
                         help="fill up to N missing steps per input column of a window "
                              "(flagged); default: the run's forecast.impute_limit (0: refuse)")
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
    from rnnlab.data.shipped_data import PREFIX

    flags = flag_values(args, FORECAST_FLAGS)
    if args.data:  # absolute, so evaluate/predict work from any directory; shipped:NAME as is
        flags["data", "path"] = [p if p.startswith(PREFIX) else str(Path(p).resolve())
                                 for p in args.data]
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
    from rnnlab.training.files import check_writable

    # the report goes into the run unless --out says elsewhere: say so before the work
    check_writable(args.out or args.run_dir / "evaluations", "report folder (or give --out)")

    report = evaluate_run(args.run_dir, args.split, args.data, args.start, args.end,
                          name=args.name, out=args.out)
    _print_report(report, report["dir"])
    return 0


def _print_report(report: dict, report_dir: Path | str) -> None:
    from rnnlab.tasks.forecast.report import summary_text

    print(summary_text(report, report_dir))


def run_ensemble(args: argparse.Namespace) -> int:
    from rnnlab.tasks.forecast import ENSEMBLE_FILE, evaluate_run, write_ensemble

    write_ensemble(args.members, args.run_dir)
    print(f"ensemble of {len(args.members)} runs: {args.run_dir / ENSEMBLE_FILE}")
    _print_report(evaluate_run(args.run_dir, "auto", own_report=True), args.run_dir)
    return 0


def run_predict(args: argparse.Namespace) -> int:
    from rnnlab.tasks.forecast import predict_run
    from rnnlab.training.files import check_writable

    out = args.out or args.run_dir / "predict.csv"
    plot = args.plot or out.with_suffix(".png")
    for path, flag in ((out, "--out"), (plot, "--plot")):  # before the model is read
        check_writable(path.parent, f"folder of {path} ({flag})")
    engine = None
    if args.engine == "onnxruntime":
        from rnnlab.tasks.export.engine import OrtForecaster

        engine = OrtForecaster(args.run_dir)
    frame = predict_run(args.run_dir, args.data, out, plot, args.origin, args.start, args.end,
                        args.every, args.impute_limit, engine)
    print(frame.to_string(index=False, max_rows=60, na_rep=""))  # no actual yet: blank
    print(f"wrote {out} and {plot}")
    return 0
