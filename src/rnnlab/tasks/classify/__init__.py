"""Text classification as a task: ``[task] kind = "classify"`` (sequence → vector → class).

    config.py   the sections [data] [model] [classify] [transfer]
    data.py     labelled text read, de-duplicated and split by distinct text
    task.py     the Task the trainer runs and how it is built (LM transfer included)
    load.py     a trained run: load, evaluate beside the majority class, predict, report
"""

from rnnlab.tasks.classify.config import SCHEMA, ClassifyDataConfig, ClassifyObjective
from rnnlab.tasks.classify.data import LabelledSplits, read_splits
from rnnlab.tasks.classify.load import (
    LoadedClassifier,
    Prediction,
    evaluate_loaded,
    finish,
    load_classifier,
    predict_texts,
)
from rnnlab.tasks.classify.task import ClassifyTask, build
from rnnlab.tasks.kind import TaskKind

KIND = TaskKind(
    schema=SCHEMA,
    build=build,
    finish=finish,
    load_model=lambda run_dir, which: load_classifier(run_dir, which).model,
    description="text classification: a sequence of words or characters -> one class",
)

__all__ = [
    "KIND",
    "ClassifyDataConfig",
    "ClassifyObjective",
    "ClassifyTask",
    "LabelledSplits",
    "LoadedClassifier",
    "Prediction",
    "build",
    "evaluate_loaded",
    "finish",
    "load_classifier",
    "predict_texts",
    "read_splits",
]
