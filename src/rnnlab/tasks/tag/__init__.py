"""Sequence tagging as a task: ``[task] kind = "tag"`` (one tag per token: POS, NER).

    config.py   the sections [data] [model] [transfer]
    data.py     CoNLL / CoNLL-U sentences, de-duplicated and split by distinct sentence
    task.py     the Task the trainer runs (softmax or CRF loss) and how it is built
    load.py     a trained run: load, evaluate beside the most-frequent tag, predict, report
"""

from rnnlab.tasks.kind import TaskKind
from rnnlab.tasks.tag.config import SCHEMA, TagDataConfig
from rnnlab.tasks.tag.data import TaggedSplits, read_tag_splits
from rnnlab.tasks.tag.load import (
    LoadedTagger,
    TagEvaluation,
    TaggedSentence,
    evaluate_loaded,
    finish,
    load_tagger,
    predict_sentences,
    tag_tokens,
)
from rnnlab.tasks.tag.task import TagTask, build

KIND = TaskKind(
    schema=SCHEMA,
    build=build,
    finish=finish,
    load_model=lambda run_dir, which: load_tagger(run_dir, which).model,
    description="sequence tagging: one tag per token (POS, NER with a CRF)",
)

__all__ = [
    "KIND",
    "LoadedTagger",
    "TagDataConfig",
    "TagEvaluation",
    "TagTask",
    "TaggedSentence",
    "TaggedSplits",
    "build",
    "evaluate_loaded",
    "finish",
    "load_tagger",
    "predict_sentences",
    "read_tag_splits",
    "tag_tokens",
]
