"""Forecasting as a task: ``[task] kind = "forecast"``.

    config.py    the sections [data] [window] [split] [model] [forecast] and their joint checks
    task.py      the Task the trainer runs (windows of a series) and how it is built
    load.py      one trained run from its files;  ensemble.py  the mean of several runs
    runs.py      load_run: either of them from a directory
    evaluate.py  the run against persistence, seasonal naive and the linear AR, on its test
                 split or on any data and period; report.py writes report.md and the plots
    predict.py   the next horizon from any file, from one origin or many
"""

from rnnlab.tasks.forecast.config import SCHEMA, ForecastOptions
from rnnlab.tasks.forecast.ensemble import ENSEMBLE_FILE, is_ensemble, load_ensemble, write_ensemble
from rnnlab.tasks.forecast.evaluate import evaluate_run, finish
from rnnlab.tasks.forecast.load import LoadedRun, load_single
from rnnlab.tasks.forecast.predict import predict_run
from rnnlab.tasks.forecast.runs import load_run
from rnnlab.tasks.forecast.task import META_FILE, SCALER_FILE, ForecastTask, build, window_shape
from rnnlab.tasks.kind import TaskKind

KIND = TaskKind(
    schema=SCHEMA,
    build=build,
    finish=finish,
    description="time-series forecasting: H steps of K columns from the last L rows",
    load_model=lambda run_dir, which: load_run(run_dir, which).model,
)

__all__ = [
    "ENSEMBLE_FILE",
    "KIND",
    "META_FILE",
    "SCALER_FILE",
    "ForecastOptions",
    "ForecastTask",
    "LoadedRun",
    "build",
    "evaluate_run",
    "is_ensemble",
    "load_ensemble",
    "load_run",
    "load_single",
    "predict_run",
    "window_shape",
    "write_ensemble",
]
