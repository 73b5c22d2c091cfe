"""Does a forecaster hold up on data it was not trained on? Another period, a station-like
level shift, another transformer — with and without per-window normalisation.

Each model is trained once through ``rnnlab.tasks.train`` (the library's recipe,
early stopping on validation) and then scored by ``evaluate_run`` — the same
code as ``rnnlab forecast evaluate`` — on:

A001 (Brasília, 72 h -> 24 h of temperature, examples/forecast_a001.toml: train
2021-01 .. 2023-09, validation 2023-10 .. 2023-12):
  * ``2024``        the test split, all of 2024 (held out; the no-drift control);
  * ``2024-file``   the 2024 file alone as new data (no split; the control of the next two);
  * ``pressure``    the 2024 file with the pressure of a station 171 m lower (990 m instead
                    of 1161 m): + Δp from the barometric formula, Δp = p (exp(g Δh / R T) − 1);
  * ``altitude``    the same, and temperature and dew point + Γ Δh (Γ = 6.5 K/km).
ETTh1 -> ETTh2 (oil temperature OT from OT and the six loads, 96 h -> 96 h; the usual
split: 12 / 4 / 4 months of the first 14400 rows):
  * ``ETTh1``       ETTh1's test split;
  * ``ETTh2``       ETTh2's test months (the same rows), the model and scaler of ETTh1.

    python benchmarks/forecast_transfer.py a001 --normalize none,mean,revin
    python benchmarks/forecast_transfer.py ett --normalize none,mean,revin --epochs 10
    python benchmarks/forecast_transfer.py ett --ett-inputs "" --tag=-univariate   # OT alone
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import time
from pathlib import Path

import numpy as np
import torch

from rnnlab.config import load_toml
from rnnlab.data.inmet import read_inmet
from rnnlab.evaluation.forecast_report import format_p
from rnnlab.tasks import train
from rnnlab.tasks.forecast import evaluate_run

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
A001 = SHARED / "inmet-a001-brasilia"
ETT = SHARED / "ett-small"
DH = 1161.0 - 990.0  # m: A001 and a nearby station lower down
ETT_ROWS = (12 * 30 * 24, 16 * 30 * 24, 20 * 30 * 24)  # train end, valid end, test end


def shifted_a001(out: Path) -> dict[str, Path]:
    """CSV files of A001 2024: as is, pressure of a station DH lower, and also temperatures."""
    frame = read_inmet(A001 / "INMET_CO_DF_A001_BRASILIA_01-01-2024_A_31-12-2024.CSV")
    frame = frame.drop(columns=["local_time"])
    kelvin = frame["temp"].mean() + 273.15
    factor = math.exp(9.80665 * DH / (287.05 * kelvin))  # p(990 m) / p(1161 m)
    files = {"2024-file": frame.copy()}
    moved = frame.copy()
    for c in ("pressure", "pressure_max", "pressure_min"):
        moved[c] = frame[c] * factor
    files["pressure"] = moved.copy()
    for c in ("temp", "temp_max", "temp_min", "dew_point", "dew_point_max", "dew_point_min"):
        moved[c] = moved[c] + 6.5e-3 * DH
    files["altitude"] = moved
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, f in files.items():
        paths[name] = out / f"a001-2024-{name}.csv"
        f.rename_axis("time").to_csv(paths[name])
    print(f"pressure x {factor:.5f} (+{(factor - 1) * frame['pressure'].mean():.1f} hPa), "
          f"temperatures +{6.5e-3 * DH:.2f} °C", flush=True)
    return paths


def a001_config(normalize: str, epochs: int) -> dict:
    config = load_toml(ROOT / "examples" / "forecast_a001.toml")
    config["data"]["path"] = [str(A001)]
    config["model"]["normalize"] = normalize
    if normalize == "revin":  # RevIN rescales: quantile intervals instead of a Gaussian
        config["model"]["output"] = "quantile"
    config["train"].update(epochs=epochs, progress=False)
    return config


ETT_INPUTS = "HUFL,HULL,MUFL,MULL,LUFL,LULL"


def ett_config(normalize: str, epochs: int, inputs: str = ETT_INPUTS) -> dict:
    import pandas as pd

    index = pd.date_range("2016-07-01", periods=ETT_ROWS[2], freq="h")
    return {
        "task": {"kind": "forecast"},
        "data": {"path": [str(ETT / "ETTh1.csv")], "first_rows": ETT_ROWS[2]},
        "window": {"lookback": 96, "horizon": 96, "targets": ["OT"],
                   "inputs": [c for c in inputs.split(",") if c]},
        "split": {"train_end": str(index[ETT_ROWS[0]]), "valid_end": str(index[ETT_ROWS[1]])},
        "model": {"cell": "gru", "hidden_size": 64, "strategy": "direct",
                  "output": "quantile" if normalize == "revin" else "gaussian",
                  "normalize": normalize},
        "forecast": {"batch_size": 64, "train_stride": 2},
        "train": {"epochs": epochs, "lr": 1e-3, "clip_norm": 1.0, "schedule": "plateau",
                  "plateau_patience": 1, "plateau_factor": 3.0, "patience": 3,
                  "progress": False, "seed": 0},
    }


def summarise(label: str, report: dict, model: str) -> dict:
    o = report["overall"]
    row = {"data": label, "windows": report["windows"]}
    for name, s in o.items():
        row[name] = {"mae": s["mae"], "rmse": s["rmse"]}
    row["dm"] = {ref: {loss: r[model][loss]["p_value"] for loss in ("squared", "absolute")}
                 | {"stat": r[model]["squared"]["statistic"]}
                 for ref, r in report["dm"].items() if model in r}
    row["coverage"] = report.get("interval", {}).get("coverage")
    row["drift"] = report["drift_warnings"]
    return row


def print_rows(rows: list[dict], model: str) -> None:
    for r in rows:
        m = r[model]
        line = [f"{r['data']:>10} ({r['windows']} windows): {model} {m['mae']:.3f} / "
                f"{m['rmse']:.3f}"]
        for name in r:
            if isinstance(r[name], dict) and "mae" in r[name] and name != model:
                line.append(f"{name} {r[name]['mae']:.3f} / {r[name]['rmse']:.3f}")
        dm = ", ".join(f"vs {ref}: DM {v['stat']:+.1f} p {format_p(v['squared'])}"
                       for ref, v in r["dm"].items())
        cov = "" if r["coverage"] is None else f"; 90% coverage {r['coverage']:.3f}"
        drift = f"; DRIFT: {len(r['drift'])} input(s)" if r["drift"] else "; no drift warning"
        print(" | ".join(line) + f"\n{'':>12}{dm}{cov}{drift}", flush=True)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("dataset", choices=("a001", "ett"))
    p.add_argument("--normalize", default="none,mean,revin")
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--stride", type=int, default=None, help="forecast.train_stride (smoke runs)")
    p.add_argument("--ett-inputs", default=ETT_INPUTS, help="ETT input columns besides OT "
                   "(\"\": OT alone)")
    p.add_argument("--tag", default="", help="suffix of the run directories")
    p.add_argument("--out", type=Path, default=ROOT / "runs" / "bench" / "transfer")
    args = p.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    torch.set_num_threads(1)
    results = {}
    files = shifted_a001(args.out / "data") if args.dataset == "a001" else None
    for normalize in args.normalize.split(","):
        run = args.out / f"{args.dataset}-{normalize}{args.tag}"
        if args.dataset == "a001":
            config = a001_config(normalize, args.epochs)
        else:
            config = ett_config(normalize, args.epochs, args.ett_inputs)
        if args.stride:
            config.setdefault("forecast", {})["train_stride"] = args.stride
        t0 = time.perf_counter()
        result = train(config, run, replace=True)
        seconds = time.perf_counter() - t0
        model = next(iter(result.report["overall"]))
        rows = [summarise("2024" if files else "ETTh1", result.report, model)]
        if files:
            for name, path in files.items():
                rep = evaluate_run(run, data=[str(path)], name=name)
                rows.append(summarise(name, rep, model))
        else:
            index = np.datetime64("2016-07-01T00") + np.array(ETT_ROWS[1:], "timedelta64[h]")
            rep = evaluate_run(run, data=[str(ETT / "ETTh2.csv")], start=str(index[0]),
                               end=str(index[1]), name="ETTh2")
            rows.append(summarise("ETTh2", rep, model))
        print(f"\n== {args.dataset}, normalize = {normalize}: {model}, trained "
              f"{result.summary.get('epochs')} epochs in {seconds:.0f} s", flush=True)
        print_rows(rows, model)
        results[normalize] = {"model": model, "train_s": seconds, "rows": rows}
    out = args.out / f"{args.dataset}{args.tag}.json"
    out.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    print(f"\n{out}; torch {torch.__version__}, 1 thread")


if __name__ == "__main__":
    main()
