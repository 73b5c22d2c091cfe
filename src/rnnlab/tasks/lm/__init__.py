"""Language models as a task: ``[task] kind = "lm"``.

    config.py   the sections [data] [model] [lm] and the [train] defaults of a stream task
    task.py     the Task the trainer runs (TBPTT over B streams) and how it is built
    load.py     a trained run: load, evaluate beside the unigram baseline, the final report
"""

from rnnlab.tasks.kind import TaskKind
from rnnlab.tasks.lm.config import SCHEMA, LMDataConfig, LMObjectiveConfig
from rnnlab.tasks.lm.load import (
    LMEvaluation,
    LoadedLM,
    NextWords,
    SentenceScore,
    beam_texts,
    evaluate_run,
    finish,
    generate_text,
    load_lm,
    next_words,
    score_sentence,
)
from rnnlab.tasks.lm.task import TOKENIZER_FILE, LanguageModelTask, build, prepare_data

KIND = TaskKind(
    schema=SCHEMA,
    build=build,
    finish=finish,
    description="language model: next-token prediction over a corpus (word, char or BPE)",
    load_model=lambda run_dir, which: load_lm(run_dir, which).model,
)

__all__ = [
    "KIND",
    "TOKENIZER_FILE",
    "LMDataConfig",
    "LMEvaluation",
    "LMObjectiveConfig",
    "LanguageModelTask",
    "LoadedLM",
    "NextWords",
    "SentenceScore",
    "beam_texts",
    "build",
    "evaluate_run",
    "finish",
    "generate_text",
    "load_lm",
    "next_words",
    "prepare_data",
    "score_sentence",
]
