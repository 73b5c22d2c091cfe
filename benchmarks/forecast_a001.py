"""A001 (Brasília) hourly air temperature, 24 h ahead from the previous 72 h.

Train 2021-01 .. 2023-09, validate 2023-10 .. 2023-12 (early stopping), test
all of 2024; Elman, LSTM and GRU next to persistence, seasonal naive (same hour
yesterday) and a linear AR on the same window and inputs; data units (°C).
Every model is compared with the linear AR by a Diebold–Mariano test (HAC
variance, Harvey–Leybourne–Newbold correction) on the per-origin mean squared
and absolute errors.

    python benchmarks/forecast_a001.py --epochs 12
    python benchmarks/forecast_a001.py --cells gru --inputs "" --highway 0
    python benchmarks/forecast_a001.py --cells lstm --residual-ar 72     # frozen AR + correction
    python benchmarks/forecast_a001.py --cells lstm,gru --normalize last --seeds 3  # ensembles
    python benchmarks/forecast_a001.py --cells lstm --normalize last --refit  # + train+valid
    python benchmarks/forecast_a001.py --cells lstm --normalize last --inputs all --lookback 168
    python benchmarks/forecast_a001.py --cells gru,mlp,cnn,transformer --normalize last  # + peers

``--refit`` first trains with early stopping on the validation split (that
run is scored too), then retrains from scratch on train + validation windows
for the best epoch count, with a cosine schedule, and scores the final
weights; the linear AR is then also refitted on train + validation.
``--inputs all`` reads every numeric INMET column plus wind u/v components.
"""

from __future__ import annotations

import argparse
import logging
import re
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from forecast_common import (
    baselines,
    cell_fields,
    load_points,
    machine,
    save,
    table,
    train_one,
    validation_blocks,
    with_wind_components,
)

from rnnlab.data.inmet import read_inmet
from rnnlab.data.splits import SplitConfig
from rnnlab.data.windows import SeriesWindows, WindowConfig
from rnnlab.evaluation.forecast_report import format_p, training_scale
from rnnlab.evaluation.forecast_tests import compare_forecasts
from rnnlab.evaluation.forecasting import score
from rnnlab.training import TrainConfig

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "inmet-a001-brasilia"
DEFAULT_INPUTS = "humidity,pressure,dew_point,radiation,wind_speed"
DM_LAGS = (48, 168)  # HAC lags: two horizons (origins overlap by 23 h), and a week


def input_columns(spec: str, frame) -> tuple[str, ...]:
    if spec == "all":  # every numeric measurement except the target and the raw direction
        skip = {"temp", "wind_dir", "local_time"}
        return tuple(c for c in frame.columns if c not in skip and frame[c].dtype.kind == "f")
    return tuple(c for c in spec.split(",") if c)


def dm_lines(points: dict, actual: np.ndarray, reference: str) -> list[str]:
    """One line per model: DM statistic and two-sided p-value vs ``reference``."""
    lines = [
        f"| model vs {reference} | loss | DM (lag {DM_LAGS[0]}) | p | DM (lag {DM_LAGS[1]}) | p |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name, pred in points.items():
        if name == reference:
            continue
        for loss in ("squared", "absolute"):
            r = [compare_forecasts(pred, points[reference], actual, loss, lag) for lag in DM_LAGS]
            lines.append(
                f"| {name} | {loss} | {r[0].statistic:+.2f} | {format_p(r[0].p_value)} "
                f"| {r[1].statistic:+.2f} | {format_p(r[1].p_value)} |"
            )
    return lines


def combine(paths: list[Path], args) -> None:
    """Mean of the saved forecasts whose names match ``--members`` vs the ``--reference``."""
    actual, saved = load_points(paths)
    members = [n for n in saved if re.search(args.members, n) and "mean of" not in n]
    ref = next(n for n in saved if n.endswith(f": {args.reference}"))  # first file holding it
    points = {
        ref: saved[ref],
        f"mean of {len(members)} models": np.mean([saved[n] for n in members], axis=0),
    }
    points[f"½ mean + ½ {ref}"] = 0.5 * (points[ref] + points[f"mean of {len(members)} models"])
    rows = {n: score(saved[n], actual).overall for n in members} | {
        n: score(v, actual).overall for n, v in points.items()
    }
    for r in rows.values():
        r["vs_ar"] = (
            f"{r['mae'] / rows[ref]['mae'] - 1:+.1%} / {r['rmse'] / rows[ref]['rmse'] - 1:+.1%}"
        )
    print(table(rows, keys=("mae", "rmse")) + "\n\n" + "\n".join(dm_lines(points, actual, ref)))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--cells", default="elman-tanh,lstm,gru")
    p.add_argument("--strategy", default="direct")
    p.add_argument("--inputs", default=DEFAULT_INPUTS)  # comma list, "" or "all"
    p.add_argument("--lookback", type=int, default=72)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--highway", type=int, default=0)
    p.add_argument("--normalize", default="none")
    p.add_argument("--loss", default="mse")  # point loss: "mse" | "l1" | "huber"
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--schedule", default="plateau")  # or "warmup_cosine"
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--stride", type=int, default=1)
    p.add_argument("--output", default="point")
    p.add_argument("--residual-ar", type=int, default=0)  # S: learn the correction to a frozen AR
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--weight-decay", type=float, default=0.0)
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--patience", type=int, default=3)
    p.add_argument("--seeds", type=int, default=1)  # > 1: also score the mean of the seeds
    p.add_argument("--seed0", type=int, default=0)  # first seed
    p.add_argument("--valid", default="")  # validation blocks "2022-10-01:2023-01-01,..."
    p.add_argument("--refit", action="store_true")  # retrain on train + valid (see above)
    p.add_argument("--ridge", type=float, default=1.0)  # λ of the linear AR
    p.add_argument("--threads", type=int, default=1)  # 1: no thread contention on a shared CPU
    p.add_argument("--json", type=Path, default=Path("runs/bench/forecast_a001.json"))
    p.add_argument("--points", type=Path, default=None)  # .npz of every test point forecast
    p.add_argument("--combine", default="")  # saved .npz files: score the mean of --members
    p.add_argument("--members", default=r"refit \d+ ep")  # regex on "<file stem>: <model>"
    p.add_argument("--reference", default="linear AR (train+valid)")  # a saved model name
    args = p.parse_args()
    if args.combine:
        return combine([Path(f) for f in args.combine.split(",")], args)
    logging.basicConfig(level=logging.WARNING)
    torch.set_num_threads(args.threads)
    frame = with_wind_components(read_inmet(DATA))
    inputs = input_columns(args.inputs, frame)
    window = WindowConfig(args.lookback, 24, ("temp",), inputs)
    w = SeriesWindows.build(frame, window, SplitConfig("2023-10-01", "2024-01-01"))
    scale = training_scale(w, 24)  # MASE scale: rows before 2023-10, whatever --valid says
    if args.valid:
        w = validation_blocks(w, args.valid)
    starts = w.starts["test"]
    actual = w.actual(starts)
    points: dict[str, np.ndarray] = {}
    rows = baselines(w, starts, 24, scale, to_scaled=False, points=points, ridge=args.ridge)
    full = None
    if args.refit:  # train = every origin before 2024 (scaler kept from the training rows)
        full = SeriesWindows.build(
            frame, window, SplitConfig("2024-01-01", "2024-01-01"), scaler=w.scaler
        )
        assert np.array_equal(full.starts["test"], starts)
        refit: dict[str, np.ndarray] = {}
        refit_rows = baselines(full, starts, 24, scale, False, points=refit, ridge=args.ridge)
        rows["linear AR (train+valid)"] = refit_rows["linear AR"]
        points["linear AR (train+valid)"] = refit["linear AR"]
    print(table(rows), flush=True)
    train = TrainConfig(
        epochs=args.epochs,
        lr=args.lr,
        clip_norm=1.0,
        patience=args.patience,
        weight_decay=args.weight_decay,
        schedule=args.schedule,
        plateau_patience=1,
        plateau_factor=3.0,
        progress=False,
        seed=args.seed0,
    )
    level = 0.9 if args.output != "point" else None
    models = []
    for cell in args.cells.split(","):
        extras = [
            n
            for n, on in (
                ("highway", args.highway),
                ("rel", args.normalize == "last"),
                (f"AR residual S={args.residual_ar}", args.residual_ar),
                (f"{args.loss} loss", args.loss != "mse"),
                (f"L={args.lookback}", args.lookback != 72),
                (f"{args.layers} layers", args.layers > 1),
            )
            if on
        ]
        base = f"{cell} ({', '.join([args.strategy, *extras])})"
        model = {
            **cell_fields(cell, args.lookback),
            "hidden_size": args.hidden,
            "strategy": args.strategy,
            "highway": args.highway,
            "output": args.output,
            "normalize": args.normalize,
            "residual_ar": args.residual_ar,
            "dropout": args.dropout,
        }
        model.setdefault("num_layers", args.layers)
        if args.loss != "mse":
            model["loss"] = args.loss

        def fit(windows, cfg, run_dir, model=model, **kw):
            return train_one(
                windows,
                model,
                cfg,
                run_dir,
                args.batch,
                args.stride,
                scale,
                False,
                level,
                ar_ridge=args.ridge,
                keep_point=True,
                **kw,
            )

        for k in range(args.seeds):
            seed = args.seed0 + k
            cfg = replace(train, seed=seed)
            with tempfile.TemporaryDirectory() as run_dir:
                name = f"{base} seed {seed}"
                r = fit(w, cfg, Path(run_dir))
                points[name], rows[name] = r.pop("point"), r
                models.append(name)
                print(name, r, flush=True)
                if full is not None:  # same recipe on train + valid for the chosen epochs
                    epochs = max(r["best_epoch"] or args.epochs, 1)
                    cfg = replace(cfg, epochs=epochs, patience=None, schedule="warmup_cosine")
                    name = f"{base} seed {seed}, refit {epochs} ep on train+valid"
                    r = fit(full, cfg, Path(run_dir) / "refit", which="last")
                    points[name], rows[name] = r.pop("point"), r
                    models.append(name)
                    print(name, r, flush=True)
    if len(models) > 1:  # means of the members (and of the refitted ones apart)
        groups = {"": [m for m in models if "refit" not in m]}
        if full is not None:
            groups[" (refit)"] = [m for m in models if "refit" in m]
        for tag, names in groups.items():
            if len(names) > 1:
                mean = np.mean([points[m] for m in names], axis=0)
                name = f"mean of {len(names)} models{tag}"
                points[name] = mean
                rows[name] = score(mean, actual, scale).overall | {
                    "train_s": sum(rows[m]["train_s"] for m in names)
                }
    for tag, ar in (("", "linear AR"), (" (refit)", "linear AR (train+valid)")):
        name = f"mean of {len([m for m in models if ('refit' in m) == bool(tag)])} models{tag}"
        if name in points:  # a hybrid, reported apart: ½ network ensemble + ½ its linear AR
            hybrid = f"½ {name} + ½ {ar}"
            points[hybrid] = 0.5 * (points[name] + points[ar])
            rows[hybrid] = score(points[hybrid], actual, scale).overall
    for name, r in rows.items():  # refitted models against the refitted AR
        refit = full is not None and "refit" in name
        ar = rows["linear AR (train+valid)" if refit else "linear AR"]
        r["vs_ar"] = f"{r['mae'] / ar['mae'] - 1:+.1%} / {r['rmse'] / ar['rmse'] - 1:+.1%}"
    print(
        f"\nA001 temp, {args.lookback} h -> 24 h, test 2024 ({len(starts)} windows); "
        f"inputs temp+{list(inputs)}+calendar; {machine()}\n"
    )
    print(table(rows))
    print("\n" + "\n".join(dm_lines(points, actual, "linear AR")))
    if full is not None:
        print("\n" + "\n".join(dm_lines(points, actual, "linear AR (train+valid)")))
    save(args.json, {"args": vars(args) | {"json": str(args.json)}, "rows": rows})
    if args.points is not None:
        args.points.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            args.points,
            actual=actual,
            names=np.array(list(points)),
            **{f"p{i}": v for i, v in enumerate(points.values())},
        )


if __name__ == "__main__":
    main()
