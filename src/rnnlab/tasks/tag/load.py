"""A trained tagger from its run directory: evaluate, predict, and the final report.

:func:`evaluate_loaded` gives token accuracy and, for BIO/IOBES tags, entity-level
precision / recall / F1 per type (CoNLL rules), each next to the most-frequent-tag
baseline; :func:`predict_sentences` tags whitespace-tokenized text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from rnnlab.data.text.factory import load_tokenizer
from rnnlab.data.text.padding import LengthBatches
from rnnlab.evaluation.language import format_table
from rnnlab.evaluation.tagging import (
    EntityScores,
    MostFrequentTag,
    entity_scores,
    entity_spans,
    token_accuracy,
)
from rnnlab.models.crf import looks_like_bio
from rnnlab.models.tagger import SequenceTagger
from rnnlab.tasks.classify.data import describe_summary
from rnnlab.tasks.config import read_run_config
from rnnlab.tasks.tag.config import SCHEMA
from rnnlab.tasks.tag.data import Sentence, read_tag_splits, read_tagged
from rnnlab.tasks.tag.task import (
    CHARS_FILE,
    SUMMARY_FILE,
    TAGS_FILE,
    WORDS_FILE,
    Vocabularies,
    emissions,
    make_batch,
)
from rnnlab.tasks.text_batches import read_json, write_json
from rnnlab.training.checkpoint import BEST, CHECKPOINTS, load_weights
from rnnlab.training.precision import resolve_device

if TYPE_CHECKING:
    from rnnlab.tasks.config import RunConfig


@dataclass
class LoadedTagger:
    model: SequenceTagger
    vocab: Vocabularies
    config: RunConfig
    meta: dict[str, Any]


def load_tagger(run_dir: str | Path, which: str = "best", device: str = "cpu") -> LoadedTagger:
    where = resolve_device(device, what="--device")  # before anything is read
    run_dir = Path(run_dir)
    config = read_run_config(run_dir, SCHEMA)
    vocab = Vocabularies(load_tokenizer(run_dir / WORDS_FILE), load_tokenizer(run_dir / CHARS_FILE),
                         read_json(run_dir / TAGS_FILE, "the tags, in the model's order"))
    model = SequenceTagger(config["model"], vocab.words.vocab_size, vocab.chars.vocab_size,
                           vocab.tags)
    if which == "best" and not (run_dir / CHECKPOINTS / BEST).exists():
        which = "last"
    meta = load_weights(model, run_dir, which=which)
    model.to(where).eval()
    return LoadedTagger(model, vocab, config, meta)


@torch.no_grad()
def tag_tokens(loaded: LoadedTagger, sentences: Sequence[Sequence[str]],
               batch_size: int = 128) -> list[list[str]]:
    """The predicted tags of each token list."""
    out: list[list[str]] = [[] for _ in sentences]
    items = [(list(s), [loaded.vocab.tags[0]] * len(s)) for s in sentences]
    for idx in LengthBatches([len(s) for s in sentences], batch_size, shuffle=False):
        batch = make_batch(loaded.vocab, [items[i] for i in idx])
        paths = loaded.model.decode(emissions(loaded.model, batch).float(), batch.lengths)
        for i, path in zip(idx, paths, strict=True):
            out[i] = [loaded.vocab.tags[t] for t in path]
    return out


@dataclass
class TagEvaluation:
    split: str
    sentences: int
    tokens: int
    accuracy: float
    baseline_accuracy: float  # most frequent training tag per word
    entities: EntityScores | None  # BIO/IOBES tags only
    baseline_entities: EntityScores | None

    def describe(self) -> str:
        rows = [("model", f"{100 * self.accuracy:.2f}",
                 "" if self.entities is None else f"{100 * self.entities.f1:.2f}"),
                ("most frequent tag", f"{100 * self.baseline_accuracy:.2f}",
                 "" if self.baseline_entities is None else
                 f"{100 * self.baseline_entities.f1:.2f}")]
        text = (f"{self.split}: {self.sentences} sentences, {self.tokens} tokens\n" +
                format_table(rows, ["", "token accuracy %", "entity F1 %"]))
        if self.entities is not None:
            per = [(k, f"{100 * p:.2f}", f"{100 * r:.2f}", f"{100 * f:.2f}", n)
                   for k, (p, r, f, n) in self.entities.per_type.items()]
            e = self.entities
            per.append(("all (micro)", f"{100 * e.precision:.2f}", f"{100 * e.recall:.2f}",
                        f"{100 * e.f1:.2f}", e.gold))
            text += "\n\n" + format_table(per, ["entity", "precision", "recall", "F1", "gold"])
        return text

    def to_dict(self) -> dict[str, Any]:
        return {"sentences": self.sentences, "tokens": self.tokens, "accuracy": self.accuracy,
                "baseline_accuracy": self.baseline_accuracy,
                "entities": None if self.entities is None else self.entities.to_dict(),
                "baseline_entity_f1": None if self.baseline_entities is None else
                self.baseline_entities.f1}


def evaluate_loaded(loaded: LoadedTagger, split: str = "test", data_path: str | None = None
                    ) -> TagEvaluation:
    """Token accuracy and entity scores of ``split`` (or of the file ``data_path``)."""
    splits = read_tag_splits(loaded.config["data"])
    if data_path is None:
        if split not in splits.sentences:
            raise ValueError(f"the run's data has no {split!r} split (it has "
                             f"{sorted(splits.sentences)})")
        items: list[Sentence] = splits.sentences[split]
    else:
        items, split = read_tagged(data_path, loaded.config["data"]), str(data_path)
    known = set(loaded.vocab.tags)
    for number, (_, tags) in enumerate(items, start=1):
        unknown = sorted(set(tags) - known)
        if unknown:
            raise ValueError(f"{split}, sentence {number}: tag(s) {unknown} were not seen in "
                             f"training; the model knows {loaded.vocab.tags}")
    gold = [tags for _, tags in items]
    predicted = tag_tokens(loaded, [tokens for tokens, _ in items])
    baseline = MostFrequentTag(*zip(*splits.sentences["train"], strict=True))
    base = [baseline.predict(tokens) for tokens, _ in items]
    bio = looks_like_bio(loaded.vocab.tags) or any(t[:2] in ("E-", "S-") for t in loaded.vocab.tags)
    return TagEvaluation(split, len(items), sum(len(g) for g in gold),
                         token_accuracy(gold, predicted), token_accuracy(gold, base),
                         entity_scores(gold, predicted) if bio else None,
                         entity_scores(gold, base) if bio else None)


@dataclass
class TaggedSentence:
    tokens: list[str]
    tags: list[str]
    spans: list[tuple[str, int, int]]  # (type, first, last token) for BIO tags

    def describe(self) -> str:
        width = max(len(t) for t in self.tokens)
        lines = [f"{t:<{width}}  {g}" for t, g in zip(self.tokens, self.tags, strict=True)]
        for kind, a, b in self.spans:
            lines.append(f"  [{kind}] {' '.join(self.tokens[a:b + 1])} (tokens {a + 1}-{b + 1})")
        return "\n".join(lines)


def predict_sentences(loaded: LoadedTagger, texts: Sequence[str]) -> list[TaggedSentence]:
    """Tag each text (tokens split on whitespace); an empty text is an error naming it."""
    sentences = []
    for number, text in enumerate(texts, start=1):
        tokens = text.split()
        if not tokens:
            raise ValueError(f"text {number} is empty: nothing to tag")
        sentences.append(tokens)
    tagged = tag_tokens(loaded, sentences)
    return [TaggedSentence(s, t, entity_spans(t) if looks_like_bio(loaded.vocab.tags) else [])
            for s, t in zip(sentences, tagged, strict=True)]


def finish(config: RunConfig, run_dir: Path, task: Any) -> dict[str, TagEvaluation]:
    """After training: valid and test evaluations next to the baseline, in report.md."""
    loaded = load_tagger(run_dir, "best")
    results = {s: evaluate_loaded(loaded, s) for s in ("valid", "test") if s in task.sentences}
    summary = read_json(Path(run_dir) / SUMMARY_FILE, "the data summary")
    lines = ["# Tagging", "", f"Weights: {loaded.meta.get('kind', 'best')} checkpoint (step "
             f"{loaded.meta.get('step', '?')}); {len(loaded.vocab.tags)} tags; output "
             f"{config['model'].output}.", "", "## Data", "",
             *describe_summary(summary, "sentences"), ""]
    if "transfer" in summary:
        t = summary["transfer"]
        lines += [f"Started from the language model `{t['from_lm']}`: "
                  f"{100 * t['type_coverage']:.1f}% of the vocabulary, "
                  f"{100 * t['token_coverage']:.1f}% of the training tokens found.", ""]
    for split, result in results.items():
        lines += [f"## {split}", "", "```", result.describe(), "```", ""]
    (Path(run_dir) / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_json(Path(run_dir) / "evaluation.json", {s: r.to_dict() for s, r in results.items()})
    return results
