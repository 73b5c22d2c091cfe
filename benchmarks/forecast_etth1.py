"""ETTh1, the usual long-horizon protocol: 96 -> 96 and 96 -> 336, multivariate (7 -> 7).

Split as in Informer / Autoformer / DLinear: the first 12 months (8640 h) train,
the next 4 months validation, the next 4 months test (rows 11520 .. 14400; the
file's last 3020 rows are unused); scaler fitted on the training rows; MSE and
MAE on the standardised values, averaged over the 7 channels and all steps;
every test origin (stride 1).

    python benchmarks/forecast_etth1.py --horizons 96,336 --cells lstm,gru
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
from rnnlab.training import TrainConfig

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ett-small" / "ETTh1.csv"
TRAIN, VALID, TEST = 12 * 30 * 24, 4 * 30 * 24, 4 * 30 * 24


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--horizons", default="96,336")
    p.add_argument("--cells", default="lstm,gru")
    p.add_argument("--strategy", default="direct")
    p.add_argument("--normalize", default="last")
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--calendar", default="", help="e.g. hour,doy (default: none, as DLinear)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--json", type=Path, default=Path("runs/bench/forecast_etth1.json"))
    args = p.parse_args()
    logging.basicConfig(level=logging.WARNING)
    torch.set_num_threads(args.threads)
    frame = read_csv_series(DATA).iloc[: TRAIN + VALID + TEST]
    columns = tuple(frame.columns)  # HUFL HULL MUFL MULL LUFL LULL OT
    split = SplitConfig(str(frame.index[TRAIN]), str(frame.index[TRAIN + VALID]))
    calendar = tuple(c for c in args.calendar.split(",") if c)
    results = {}
    for H in (int(h) for h in args.horizons.split(",")):
        w = SeriesWindows.build(frame, WindowConfig(96, H, columns, (), calendar), split)
        rows = baselines(w, w.starts["test"], 24, None, to_scaled=True)
        train = TrainConfig(
            epochs=args.epochs,
            lr=args.lr,
            clip_norm=1.0,
            patience=3,
            schedule="plateau",
            plateau_patience=1,
            plateau_factor=3.0,
            progress=False,
            seed=0,
        )
        for cell in args.cells.split(","):
            model = {
                **cell_fields(cell),
                "hidden_size": args.hidden,
                "strategy": args.strategy,
                "normalize": args.normalize,
            }
            name = f"{cell} ({args.strategy}{', rel' if args.normalize == 'last' else ''})"
            with tempfile.TemporaryDirectory() as run_dir:
                rows[name] = train_one(
                    w, model, train, Path(run_dir), args.batch, 1, None, to_scaled=True
                )
            print(H, name, rows[name], flush=True)
        print(
            f"\nETTh1 96 -> {H}, 7 -> 7, standardised, {len(w.starts['test'])} test windows; "
            f"{machine()}\n"
        )
        print(table(rows, keys=("mse", "mae")), flush=True)
        results[H] = rows
    save(args.json, {"args": vars(args) | {"json": str(args.json)}, "results": results})


if __name__ == "__main__":
    main()
