"""Forecast Brasília's air temperature 24 h ahead, next to the baselines, in ~40 lines.

    python examples/forecast_a001.py            # the shipped 2024 year, a minute on CPU

Reads the INMET file, builds leak-free windows (scaler fitted on training rows),
trains an LSTM through rnnlab's Trainer, and prints MAE/RMSE of the LSTM beside
persistence, seasonal naive and a linear AR on exactly the same test windows.
"""

import tempfile

import torch

import rnnlab
from rnnlab.cli.forecast_task import ForecastTask
from rnnlab.data.splits import SplitConfig
from rnnlab.data.windows import SeriesWindows, WindowConfig
from rnnlab.evaluation.forecast_report import (
    baseline_forecasts,
    compare,
    markdown_table,
    training_scale,
)
from rnnlab.models.forecaster import Forecaster, ForecasterConfig
from rnnlab.training import TrainConfig, Trainer, load_weights

torch.set_num_threads(1)  # small recurrent nets run fastest on one thread
frame = rnnlab.read_inmet("shipped:inmet-a001-2024")
print(frame.attrs["station"], frame.attrs["wmo_code"], frame.index[0], "..", frame.index[-1])

w = SeriesWindows.build(
    frame,
    WindowConfig(lookback=72, horizon=24, targets=("temp",), inputs=("humidity", "pressure")),
    SplitConfig(train_end="2024-10-01", valid_end="2024-11-01"),  # test: Nov-Dec 2024
)
model = Forecaster(
    ForecasterConfig(
        input_size=len(w.columns),
        known_size=w.known.shape[1],
        num_targets=1,
        horizon=24,
        cell="lstm",
        forget_bias=1.0,  # remember by default (Jozefowicz et al. 2015)
        hidden_size=32,
    )
)
task = ForecastTask(model, w, batch_size=64, train_stride=2)
with tempfile.TemporaryDirectory() as run_dir:
    Trainer(task, TrainConfig(epochs=5, lr=3e-3, clip_norm=1.0, progress=False), run_dir).fit()
    load_weights(model, run_dir, "best")  # the epoch with the lowest validation loss

starts = w.starts["test"]
forecasts = {"lstm": task.forecast(starts)["point"], **baseline_forecasts(w, starts, period=24)}
scores = compare(forecasts, w.actual(starts), training_scale(w, 24))
print(markdown_table(scores))
