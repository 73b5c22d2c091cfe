"""Conditional generation (vector -> sequence) as a task: ``[task] kind = "condgen"``.

    config.py   the sections [data] [model] [sample]
    task.py     the Task the trainer runs (items given their label) and how it is built
    load.py     a trained run: load, generate for a condition, held-out bits per character
    agreement.py   the share of samples a classifier assigns to the requested label
"""

from rnnlab.tasks.condgen.agreement import (
    AgreementReport,
    LanguageAgreement,
    classifier_agreement,
    run_agreement,
    write_split_folder,
)
from rnnlab.tasks.condgen.config import SCHEMA, CondGenDataConfig, SampleConfig
from rnnlab.tasks.condgen.load import (
    CondGenEvaluation,
    LoadedGenerator,
    evaluate_loaded,
    evaluate_run,
    finish,
    generate_items,
    load_generator,
)
from rnnlab.tasks.condgen.task import ConditionalTask, build
from rnnlab.tasks.kind import TaskKind

KIND = TaskKind(
    schema=SCHEMA,
    build=build,
    finish=finish,
    description="conditional generation: a sequence from a vector (e.g. a surname given a "
                "language)",
    load_model=lambda run_dir, which: load_generator(run_dir, which).model,
)

__all__ = [
    "KIND",
    "SCHEMA",
    "AgreementReport",
    "CondGenDataConfig",
    "CondGenEvaluation",
    "ConditionalTask",
    "LanguageAgreement",
    "LoadedGenerator",
    "SampleConfig",
    "build",
    "classifier_agreement",
    "evaluate_loaded",
    "evaluate_run",
    "finish",
    "generate_items",
    "load_generator",
    "run_agreement",
    "write_split_folder",
]
