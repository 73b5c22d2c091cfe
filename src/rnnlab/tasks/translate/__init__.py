"""Translation as a task: ``[task] kind = "translate"`` (an encoder–decoder, with attention).

    config.py    the sections [data] [model] [translate] [decode]; the tutorial preset
    task.py      the Task the trainer runs (sentence pairs, teacher forcing) and how it is built
    load.py      a trained run: load it, translate (greedy, beam, n-best), attention weights
    evaluate.py  BLEU / chrF (sacrebleu), by length, perplexity, copy baseline; report, heatmaps
"""

from rnnlab.tasks.kind import TaskKind
from rnnlab.tasks.translate.config import (
    SCHEMA,
    TUTORIAL_PRESET,
    DecodeConfig,
    TranslateDataConfig,
    TranslateObjectiveConfig,
)
from rnnlab.tasks.translate.evaluate import (
    TranslationEvaluation,
    evaluate_run,
    evaluate_translator,
    finish,
    heatmaps,
)
from rnnlab.tasks.translate.load import (
    LoadedTranslator,
    Translation,
    attention_weights,
    load_translator,
    token_labels,
    translate,
)
from rnnlab.tasks.translate.task import TranslationTask, build

KIND = TaskKind(
    schema=SCHEMA,
    build=build,
    finish=finish,
    description="translation: an encoder-decoder (context vector, Bahdanau or Luong attention)",
    load_model=lambda run_dir, which: load_translator(run_dir, which).model,
)

__all__ = [
    "KIND",
    "SCHEMA",
    "TUTORIAL_PRESET",
    "DecodeConfig",
    "LoadedTranslator",
    "TranslateDataConfig",
    "TranslateObjectiveConfig",
    "Translation",
    "TranslationEvaluation",
    "TranslationTask",
    "attention_weights",
    "build",
    "evaluate_run",
    "evaluate_translator",
    "finish",
    "heatmaps",
    "load_translator",
    "token_labels",
    "translate",
]
