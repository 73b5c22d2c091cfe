"""A001 (Brasília) hourly air temperature, 24 h ahead from the previous 72 h.

Train 2021-01 .. 2023-09, validate 2023-10 .. 2023-12 (early stopping), test
all of 2024; Elman, LSTM and GRU next to persistence, seasonal naive (same hour
yesterday) and a linear AR on the same window; data units (°C).

    python benchmarks/forecast_a001.py --epochs 12
    python benchmarks/forecast_a001.py --cells gru --inputs "" --highway 0
    python benchmarks/forecast_a001.py --cells lstm --residual-ar 72     # frozen AR + correction
    python benchmarks/forecast_a001.py --cells lstm,gru --normalize last --seeds 3  # ensembles
"""

from __future__ import annotations

import argparse
import logging
import tempfile
from pathlib import Path

import numpy as np
import torch
from forecast_common import baselines, machine, save, table, train_one

from rnnlab.data.inmet import read_inmet
from rnnlab.data.splits import SplitConfig
from rnnlab.data.windows import SeriesWindows, WindowConfig
from rnnlab.evaluation.forecast_report import training_scale
from rnnlab.evaluation.forecasting import score
from rnnlab.training import TrainConfig

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "inmet-a001-brasilia"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--cells", default="elman,lstm,gru")
    p.add_argument("--strategy", default="direct")
    p.add_argument("--inputs", default="humidity,pressure,dew_point,radiation,wind_speed")
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--highway", type=int, default=0)
    p.add_argument("--normalize", default="none")
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--stride", type=int, default=1)
    p.add_argument("--output", default="point")
    p.add_argument("--residual-ar", type=int, default=0)  # S: learn the correction to a frozen AR
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--weight-decay", type=float, default=0.0)
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--patience", type=int, default=3)
    p.add_argument("--seeds", type=int, default=1)  # > 1: score the mean of that many models
    p.add_argument("--threads", type=int, default=1)  # 1: no thread contention on a shared CPU
    p.add_argument("--json", type=Path, default=Path("runs/bench/forecast_a001.json"))
    args = p.parse_args()
    logging.basicConfig(level=logging.WARNING)
    torch.set_num_threads(args.threads)
    frame = read_inmet(DATA)
    inputs = tuple(c for c in args.inputs.split(",") if c)
    w = SeriesWindows.build(
        frame, WindowConfig(72, 24, ("temp",), inputs), SplitConfig("2023-10-01", "2024-01-01")
    )
    scale = training_scale(w, 24)
    rows = baselines(w, w.starts["test"], 24, scale, to_scaled=False)
    print(table(rows), flush=True)
    train = TrainConfig(
        epochs=args.epochs,
        lr=args.lr,
        clip_norm=1.0,
        patience=args.patience,
        weight_decay=args.weight_decay,
        schedule="plateau",
        plateau_patience=1,
        plateau_factor=3.0,
        progress=False,
        seed=0,
    )
    level = 0.9 if args.output != "point" else None
    points = {}
    for cell in args.cells.split(","):
        extras = [
            n
            for n, on in (
                ("highway", args.highway),
                ("rel", args.normalize == "last"),
                (f"AR residual S={args.residual_ar}", args.residual_ar),
                (f"mean of {args.seeds} seeds", args.seeds > 1),
            )
            if on
        ]
        name = f"{cell} ({', '.join([args.strategy, *extras])})"
        model = {
            "cell": cell,
            "hidden_size": args.hidden,
            "strategy": args.strategy,
            "highway": args.highway,
            "output": args.output,
            "normalize": args.normalize,
            "residual_ar": args.residual_ar,
            "dropout": args.dropout,
            "num_layers": args.layers,
        }
        with tempfile.TemporaryDirectory() as run_dir:
            rows[name] = train_one(
                w,
                model,
                train,
                Path(run_dir),
                args.batch,
                args.stride,
                scale,
                to_scaled=False,
                level=level,
                seeds=args.seeds,
            )
            points[name] = rows[name].pop("point", None)
        print(name, rows[name], flush=True)
    if args.seeds > 1 and len(points) > 1:  # every model of every cell, averaged
        mean = np.mean(list(points.values()), axis=0)
        both = score(mean, w.actual(w.starts["test"]), scale).overall
        rows[f"mean of {' + '.join(points)}"] = both | {
            "train_s": sum(rows[n]["train_s"] for n in points)
        }
    print(
        f"\nA001 temp, 72 h -> 24 h, test 2024 ({len(w.starts['test'])} windows); "
        f"inputs temp+{list(inputs)}+calendar; {machine()}\n"
    )
    print(table(rows))
    save(args.json, {"args": vars(args) | {"json": str(args.json)}, "rows": rows})


if __name__ == "__main__":
    main()
