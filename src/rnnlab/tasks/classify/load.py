"""A trained classifier from its run directory: evaluate, predict, and the final report.

:func:`load_classifier` rebuilds the model from ``config.toml``,
``tokenizer.json``, ``labels.json`` and a checkpoint alone. :func:`evaluate_loaded`
scores a split of the run's data (or other labelled data) next to the
majority-class baseline; :func:`predict_texts` gives each text's class and
probability; :func:`finish` writes report.md, evaluation.json and confusion PNGs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from rnnlab.data.text.factory import load_tokenizer
from rnnlab.data.text.labelled import read_labelled
from rnnlab.data.text.padding import LengthBatches, pad_ids
from rnnlab.data.text.tokenizers import Tokenizer
from rnnlab.evaluation.classification import ClassificationReport, classification_report
from rnnlab.evaluation.classification_plots import plot_confusion
from rnnlab.models.classifier import SequenceClassifier
from rnnlab.tasks.classify.config import SCHEMA
from rnnlab.tasks.classify.data import describe_summary, read_splits
from rnnlab.tasks.classify.task import (
    LABELS_FILE,
    SUMMARY_FILE,
    TOKENIZER_FILE,
    encode_texts,
)
from rnnlab.tasks.config import read_run_config
from rnnlab.tasks.text_batches import read_json, write_json
from rnnlab.training.checkpoint import BEST, CHECKPOINTS, load_weights
from rnnlab.training.precision import resolve_device

if TYPE_CHECKING:
    from rnnlab.tasks.config import RunConfig


@dataclass
class LoadedClassifier:
    model: SequenceClassifier
    tokenizer: Tokenizer
    classes: list[str]
    config: RunConfig
    run_dir: Path
    meta: dict[str, Any]


def load_classifier(run_dir: str | Path, which: str = "best", device: str = "cpu"
                    ) -> LoadedClassifier:
    """Model, tokenizer, classes and config from a classify run directory."""
    where = resolve_device(device, what="--device")  # before anything is read
    run_dir = Path(run_dir)
    config = read_run_config(run_dir, SCHEMA)
    tokenizer = load_tokenizer(run_dir / TOKENIZER_FILE)
    classes = read_json(run_dir / LABELS_FILE, "the classes, in the model's order")
    model = SequenceClassifier(config["model"], tokenizer.vocab_size, len(classes))
    if which == "best" and not (run_dir / CHECKPOINTS / BEST).exists():
        which = "last"
    meta = load_weights(model, run_dir, which=which)
    model.to(where).eval()
    return LoadedClassifier(model, tokenizer, classes, config, run_dir, meta)


@torch.no_grad()
def class_probabilities(loaded: LoadedClassifier, texts: list[str], batch_size: int = 256
                        ) -> tuple[torch.Tensor, list[torch.Tensor | None]]:
    """(p (N, C), attention weights per text or None) for ``texts``."""
    data = loaded.config["data"]
    ids = encode_texts(loaded.tokenizer, texts, data.max_length)
    probs = torch.zeros(len(texts), len(loaded.classes))
    weights: list[torch.Tensor | None] = [None] * len(texts)
    device = loaded.model.embedding.weight.device
    for idx in LengthBatches([len(s) for s in ids], batch_size, shuffle=False):
        tokens, lengths = pad_ids([ids[i] for i in idx])
        pooled, alpha = loaded.model.encode(tokens.to(device), lengths)
        probs[idx] = torch.softmax(loaded.model.head(pooled).float(), -1).cpu()
        if alpha is not None:
            for b, i in enumerate(idx):
                weights[i] = alpha[: len(ids[i]), b].cpu()
    return probs, weights


@dataclass
class Prediction:
    text: str
    tokens: list[str]
    top: list[tuple[str, float]]  # (class, probability), most probable first
    attention: list[float] | None


def predict_texts(loaded: LoadedClassifier, texts: list[str], k: int = 3) -> list[Prediction]:
    """The ``k`` most probable classes of each text. An empty text is an error naming it."""
    for number, text in enumerate(texts, start=1):
        if not text.strip():
            raise ValueError(f"text {number} is empty: nothing to classify")
    probs, weights = class_probabilities(loaded, texts)
    out = []
    for text, p, alpha in zip(texts, probs, weights, strict=True):
        best = torch.argsort(p, descending=True)[:k].tolist()
        tokens = loaded.tokenizer.split(text)[: loaded.config["data"].max_length]
        out.append(Prediction(text, tokens, [(loaded.classes[c], float(p[c])) for c in best],
                              None if alpha is None else alpha.tolist()))
    return out


def evaluate_loaded(loaded: LoadedClassifier, split: str = "test", data_path: str | None = None
                    ) -> ClassificationReport:
    """The report of ``split`` of the run's data, or of the labelled data at ``data_path``."""
    data = loaded.config["data"]
    splits = read_splits(data)
    train = [loaded.classes.index(splits.classes[c]) for c in splits.labels["train"]
             if splits.classes[c] in loaded.classes]
    if data_path is None:
        if split not in splits.texts:
            raise ValueError(f"the run's data has no {split!r} split (it has "
                             f"{sorted(splits.texts)})")
        texts = splits.texts[split]
        names = [splits.classes[c] for c in splits.labels[split]]
        origins = [f"{split} item {i + 1}" for i in range(len(texts))]
    else:
        items = read_labelled(data_path, data.format, text_column=data.text_column,
                              label_column=data.label_column, sst_classes=data.sst_classes)
        texts, names, origins = items.texts, items.labels, items.origins
    for name, origin in zip(names, origins, strict=True):
        if name not in loaded.classes:
            raise ValueError(f"{origin}: label {name!r} was not seen in training; the model "
                             f"knows {loaded.classes}")
    probs, _ = class_probabilities(loaded, texts)
    confidence, predicted = probs.max(-1)
    truth = [loaded.classes.index(n) for n in names]
    return classification_report(truth, predicted.tolist(), loaded.classes, train,
                                 confidence.tolist())


def finish(config: RunConfig, run_dir: Path, task: Any) -> dict[str, ClassificationReport]:
    """After training: valid and test reports, confusion PNGs, report.md, evaluation.json."""
    loaded = load_classifier(run_dir, "best")
    reports = {s: evaluate_loaded(loaded, s) for s in ("valid", "test") if s in task.ids}
    summary = read_json(Path(run_dir) / SUMMARY_FILE, "the data summary")
    lines = ["# Classification", "", f"Weights: {loaded.meta.get('kind', 'best')} checkpoint "
             f"(step {loaded.meta.get('step', '?')}); {len(loaded.classes)} classes.", "",
             "## Data", "", *describe_summary(summary), ""]
    if "transfer" in summary:
        t = summary["transfer"]
        lines += [f"Started from the language model `{t['from_lm']}`: {t['types_found']} of "
                  f"{t['vocab_size']} vocabulary entries ({100 * t['type_coverage']:.1f}%) and "
                  f"{100 * t['token_coverage']:.1f}% of the training tokens found; "
                  f"{t['layers_copied']} recurrent layer(s) copied.", ""]
    for split, report in reports.items():
        png = plot_confusion(report.matrix, report.classes, Path(run_dir) / "plots" /
                             f"confusion_{split}.png", f"{split}: confusion matrix")
        lines += [f"## {split}", "", report.summary(), "", "```", report.table(), "```", "",
                  f"![confusion]({png.relative_to(run_dir)})", ""]
    (Path(run_dir) / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_json(Path(run_dir) / "evaluation.json", {s: r.to_dict() for s, r in reports.items()})
    return reports
