"""rnnlab's A001 forecasters next to the peer libraries, on exactly rnnlab's test origins.

Peers (the ``benchmark`` extra: ``pip install -c constraints.txt -e ".[benchmark]"``):
statsforecast AutoARIMA (season 24), AutoETS (season 24), MSTL (seasons 24 h and 168 h,
AutoETS trend; a yearly season made STL run for tens of minutes on 3 years of hours) and
neuralforecast's LSTM and GRU, all univariate on the hourly temperature (their usual use),
against the rnnlab runs given (trained by ``benchmarks/forecast_transfer.py a001`` on
2021-01 .. 2023-09, 5 inputs + calendar) and the baselines, all on rnnlab's 2024 test
origins (72 h in, 24 h out; °C).

Budgets, printed with the results: the statistical models are fitted once on the
``--fit-hours`` hours before 2024 and then applied (``forward``: the fitted model, no
refit) to the ``--fit-hours`` hours before each origin of every ``--every``-th test
origin (AutoARIMA on all 8761 would take hours here); neuralforecast trains
``--steps`` optimizer steps on 2021-01 .. 2023-12 and forecasts every origin. Hours the
readers left missing (long gaps) are interpolated for the peers, which refuse NaN;
rnnlab's test windows contain none.

    R=runs/bench/transfer
    python benchmarks/forecast_peers.py --runs $R/a001-none,$R/a001-mean
"""

from __future__ import annotations

import argparse
import json
import logging
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from rnnlab.data.series_source import load_series
from rnnlab.evaluation.baselines import persistence, seasonal_naive
from rnnlab.evaluation.forecasting import score
from rnnlab.tasks.forecast import ForecastTask, load_run
from rnnlab.tasks.forecast.evaluate import model_name

ROOT = Path(__file__).resolve().parents[1]


def rnnlab_rows(runs: list[str]):
    """Windows of the first run, its test origins, and every run's (and baseline's) forecasts."""
    first = load_run(runs[0])
    w = first.windows(load_series(first.config["data"]), first.config["split"])
    starts = w.starts["test"]
    forecasts = {"persistence": persistence(w, starts),
                 "seasonal naive": seasonal_naive(w, starts, 24),
                 "linear AR (rnnlab baseline, 5 inputs)": first.ar.predict(w, starts)}
    for path in runs:
        run = load_run(path)
        w_run = run.windows(load_series(run.config["data"]), run.config["split"])
        if not np.array_equal(w_run.starts["test"], starts):
            raise ValueError(f"{path} has other test origins than {runs[0]}")
        t0 = time.perf_counter()
        fc = ForecastTask(run.model, w_run).forecast(starts)["point"]
        label = f"rnnlab {model_name(run)}, normalize={run.model.config.normalize}"
        forecasts[label] = fc
        print(f"{label}: predict {time.perf_counter() - t0:.1f} s", flush=True)
    return w, starts, forecasts


def filled_temp(w) -> np.ndarray:
    """The target in data units with interior gaps interpolated (the peers refuse NaN)."""
    return pd.Series(w.values[: w.rows, 0]).interpolate(limit_direction="both").to_numpy()


def stats_peers(y: np.ndarray, starts: np.ndarray, first_test: int, H: int, fit_hours: int):
    from statsforecast.models import MSTL, AutoARIMA, AutoETS

    peers = {
        "statsforecast AutoARIMA (season 24)": (AutoARIMA(season_length=24), fit_hours),
        "statsforecast AutoETS (season 24)": (AutoETS(season_length=24), fit_hours),
        "statsforecast MSTL (24 h, 168 h; AutoETS trend)": (
            MSTL(season_length=[24, 168], trend_forecaster=AutoETS(model="ZZN")), fit_hours),
    }
    out = {}
    for name, (model, span) in peers.items():
        t0 = time.perf_counter()
        model.fit(y[max(0, first_test - span) : first_test])
        fit_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fc = np.stack([model.forward(y=y[max(0, t - span) : t], h=H)["mean"] for t in starts])
        out[name] = (fc[:, :, None], fit_s, time.perf_counter() - t0,
                     f"fit on {span} h before 2024, forward on {span} h before each origin")
        print(f"{name}: fit {fit_s:.0f} s, {len(starts)} forecasts "
              f"{time.perf_counter() - t0:.0f} s", flush=True)
    return out


def neural_peers(y: np.ndarray, index: pd.DatetimeIndex, starts: np.ndarray, first_test: int,
                 H: int, L: int, steps: int):
    from neuralforecast import NeuralForecast
    from neuralforecast.models import GRU, LSTM

    logging.getLogger("pytorch_lightning").setLevel(logging.ERROR)
    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
    times = index.tz_convert(None) if index.tz is not None else index
    train = pd.DataFrame({"unique_id": "A001", "ds": times[:first_test], "y": y[:first_test]})
    rows = starts[:, None] + np.arange(-L, 0)[None, :]  # (B, L): each origin's window
    panel = pd.DataFrame({"unique_id": np.repeat(np.arange(len(starts)), L),
                          "ds": times[rows.ravel()], "y": y[rows.ravel()]})
    out = {}
    for name, cls in (("neuralforecast LSTM", LSTM), ("neuralforecast GRU", GRU)):
        model = cls(h=H, input_size=L, inference_input_size=L, max_steps=steps,
                    encoder_hidden_size=64, random_seed=0, batch_size=32,
                    accelerator="cpu", enable_progress_bar=False, enable_model_summary=False,
                    logger=False)  # the rest goes to pytorch_lightning.Trainer
        nf = NeuralForecast(models=[model], freq="h")
        t0 = time.perf_counter()
        nf.fit(df=train)
        fit_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        pred = nf.predict(df=panel).sort_values(["unique_id", "ds"])
        fc = pred[cls.__name__].to_numpy().reshape(len(starts), H, 1)
        out[name] = (fc, fit_s, time.perf_counter() - t0,
                     f"{steps} steps, hidden 64, batch 32, input 72 h, defaults otherwise "
                     "(robust scaler per window)")
        print(f"{name}: fit {fit_s:.0f} s, predict {time.perf_counter() - t0:.0f} s", flush=True)
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", required=True, help="comma-separated rnnlab run directories")
    p.add_argument("--every", type=int, default=24, help="statistical peers: every n-th origin")
    p.add_argument("--fit-hours", type=int, default=24 * 90)
    p.add_argument("--steps", type=int, default=500, help="neuralforecast max_steps")
    p.add_argument("--skip", default="", help="comma-separated: stats, neural")
    p.add_argument("--json", type=Path, default=ROOT / "runs" / "bench" / "peers.json")
    args = p.parse_args()
    torch.set_num_threads(1)
    w, starts, forecasts = rnnlab_rows(args.runs.split(","))
    H, L = w.config.horizon, w.config.lookback
    y = filled_temp(w)
    first_test = int(starts[0])
    actual = w.actual(starts)
    timing = {}
    sub = np.arange(0, len(starts), args.every)
    if "stats" not in args.skip:
        for name, (fc, fit_s, pred_s, budget) in stats_peers(
                y, starts[sub], first_test, H, args.fit_hours).items():
            full = np.full_like(actual, np.nan)
            full[sub] = fc
            forecasts[name], timing[name] = full, (fit_s, pred_s, budget)
    if "neural" not in args.skip:
        for name, (fc, fit_s, pred_s, budget) in neural_peers(
                y, w.index, starts, first_test, H, L, args.steps).items():
            forecasts[name], timing[name] = fc, (fit_s, pred_s, budget)
    rows = []
    print(f"\nA001 2024, {len(starts)} test origins (every {args.every}th: {len(sub)}), "
          f"72 h -> 24 h, °C; torch {torch.__version__}, 1 thread\n")
    print(f"| model | MAE all | RMSE all | MAE every {args.every}th | RMSE every {args.every}th "
          "| fit s | predict s | budget |\n|---|---:|---:|---:|---:|---:|---:|---|")
    for name, fc in forecasts.items():
        every = score(fc[sub], actual[sub]).overall
        full = score(fc, actual).overall if np.isfinite(fc).all() else None
        fit_s, pred_s, budget = timing.get(name, (None, None, ""))
        cells = [f"{full['mae']:.3f}" if full else "–", f"{full['rmse']:.3f}" if full else "–",
                 f"{every['mae']:.3f}", f"{every['rmse']:.3f}",
                 "–" if fit_s is None else f"{fit_s:.0f}",
                 "–" if pred_s is None else f"{pred_s:.0f}", budget]
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)
        rows.append({"model": name, "all": full, "every": every, "fit_s": fit_s,
                     "predict_s": pred_s, "budget": budget})
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()},
                                     "rows": rows}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
