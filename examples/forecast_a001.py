"""Forecast Brasília's air temperature 24 h ahead, next to the baselines, in ~30 lines.

    python examples/forecast_a001.py            # the shipped 2024 year, a minute on CPU

One config, one call: :func:`rnnlab.tasks.train` reads the INMET file, builds
leak-free windows (scaler fitted on training rows), trains an LSTM through the
Trainer, then evaluates it beside persistence, seasonal naive and a linear AR
on exactly the same test windows and writes report.md. The run directory is
then enough to forecast from any new file.
"""

import torch

from rnnlab.tasks import train
from rnnlab.tasks.forecast import predict_run

torch.set_num_threads(1)  # small recurrent nets run fastest on one thread
config = {
    "task": {"kind": "forecast"},
    "data": {"path": "shipped:inmet-a001-2024"},
    "window": {"lookback": 72, "horizon": 24, "targets": ["temp"],
               "inputs": ["humidity", "pressure"]},
    "split": {"train_end": "2024-10-01", "valid_end": "2024-11-01"},  # test: Nov-Dec 2024
    "model": {"cell": "lstm", "hidden_size": 32, "forget_bias": 1.0, "normalize": "mean"},
    "forecast": {"batch_size": 64, "train_stride": 2},
    "train": {"epochs": 5, "lr": 3e-3, "clip_norm": 1.0, "progress": False},
}
result = train(config, "runs/example-forecast-a001", replace=True)
print(result.report["table"])  # MAE, RMSE, MASE of the LSTM and the baselines (°C)

table = predict_run(result.run_dir, ["shipped:inmet-a001-2024"], result.run_dir / "next.csv",
                    plot=None)  # the 24 h after the file ends
print(table[["local_time", "temp"]].to_string(index=False))
