"""Airline passengers (Box & Jenkins, monthly 1949-1960): 12 months ahead from 24.

Train 1949-1956, validate 1957-1958, test 1959-1960 (targets inside each
split); passengers in thousands; MASE scaled by the training seasonal naive
(m = 12). A very small series (144 points): the test has 13 windows.

    python benchmarks/forecast_airline.py --cells elman-tanh,lstm,gru
"""

from __future__ import annotations

import argparse
import logging
import tempfile
from pathlib import Path

import torch
from forecast_common import baselines, cell_fields, machine, save, table, train_one

from rnnlab.data.csv_series import read_csv_series
from rnnlab.data.splits import SplitConfig
from rnnlab.data.windows import SeriesWindows, WindowConfig
from rnnlab.evaluation.forecast_report import training_scale
from rnnlab.training import TrainConfig

DATA = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "classic-timeseries"
    / "airline-passengers.csv"
)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--cells", default="elman-tanh,lstm,gru")
    p.add_argument("--strategy", default="direct")
    p.add_argument("--normalize", default="last")
    p.add_argument("--hidden", type=int, default=16)
    p.add_argument("--epochs", type=int, default=300)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--json", type=Path, default=Path("runs/bench/forecast_airline.json"))
    args = p.parse_args()
    logging.basicConfig(level=logging.WARNING)
    torch.set_num_threads(args.threads)
    frame = read_csv_series(DATA)
    w = SeriesWindows.build(
        frame,
        WindowConfig(24, 12, ("Passengers",), (), ("month",)),
        SplitConfig("1957-01-01", "1959-01-01"),
    )
    scale = training_scale(w, 12)
    rows = baselines(w, w.starts["test"], 12, scale, to_scaled=False)
    for cell in args.cells.split(","):
        runs = []
        for seed in range(args.seeds):
            train = TrainConfig(
                epochs=args.epochs,
                lr=args.lr,
                clip_norm=1.0,
                patience=30,
                progress=False,
                seed=seed,
                log_every=1000,
            )
            model = {
                **cell_fields(cell),
                "hidden_size": args.hidden,
                "strategy": args.strategy,
                "normalize": args.normalize,
            }
            with tempfile.TemporaryDirectory() as run_dir:
                runs.append(
                    train_one(w, model, train, Path(run_dir), 16, 1, scale, to_scaled=False)
                )
        mean = {
            k: sum(r[k] for r in runs) / len(runs)
            for k in ("mae", "rmse", "mse", "mase", "train_s")
        }
        name = f"{cell} ({args.strategy}, mean of {args.seeds} seeds)"
        rows[name] = mean | {"runs": runs}
        print(name, {k: round(v, 3) for k, v in mean.items()}, flush=True)
    print(
        f"\nairline passengers, 24 -> 12 months, test 1959-1960 ({len(w.starts['test'])} "
        f"windows); {machine()}\n"
    )
    print(table(rows))
    save(args.json, {"args": vars(args) | {"json": str(args.json)}, "rows": rows})


if __name__ == "__main__":
    main()
