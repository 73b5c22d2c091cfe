"""A translation run scored: BLEU/chrF (greedy and beam), by length, perplexity, copy baseline.

:func:`evaluate_run` (``rnnlab translate evaluate``) and :func:`finish` (the end
of ``translate train``: ``report.md``, ``evaluation.json`` and attention
heatmaps) both score the test split **per distinct source sentence**, against
all of its translations in that split (``nrefs:var`` in sacrebleu's signature).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rnnlab.data.text.parallel import load_parallel, references
from rnnlab.evaluation.attention_plots import plot_attention
from rnnlab.evaluation.language import format_table
from rnnlab.evaluation.translation import (
    TranslationScore,
    bleu_by_length,
    copy_baseline,
    score_translations,
)
from rnnlab.tasks.translate.load import (
    LoadedTranslator,
    attention_weights,
    load_translator,
    token_labels,
    translate,
)
from rnnlab.tasks.translate.task import TranslationTask, encode_split
from rnnlab.training.evaluate import loss_sums

if TYPE_CHECKING:
    from rnnlab.tasks.config import RunConfig

REPORT, EVALUATION = "report.md", "evaluation.json"


@dataclass
class TranslationEvaluation:
    """One split of a run: the model (greedy, beam) beside the copy-the-source baseline."""

    split: str
    sources: int  # distinct source sentences scored
    pairs: int  # sentence pairs in the split (for the perplexity)
    perplexity: float  # teacher-forced, per target token (<eos> included)
    scores: dict[str, TranslationScore]  # "greedy", "beam 5", "copy source"
    by_length: list[tuple[str, int, dict[str, float]]]  # (bucket, sentences, {system: BLEU})
    lowercase: bool  # case-insensitive scoring (a lower-cased vocabulary)
    examples: list[dict[str, Any]] = field(default_factory=list)  # a few outputs to read

    def table(self) -> str:
        rows = [(name, f"{s.bleu:.2f}", f"{s.chrf:.2f}") for name, s in self.scores.items()]
        return format_table(rows, ["system", "BLEU", "chrF"])

    def length_table(self) -> str:
        names = list(self.by_length[0][2]) if self.by_length else []
        rows = [(label, n, *(f"{bleus[k]:.2f}" for k in names))
                for label, n, bleus in self.by_length]
        return format_table(rows, ["source words", "sentences", *(f"BLEU {k}" for k in names)])

    def describe(self) -> str:
        any_score = next(iter(self.scores.values()))
        return (f"{self.split}: {self.sources} distinct source sentences ({self.pairs} pairs), "
                f"perplexity {self.perplexity:.2f}\n{self.table()}\n\nBLEU by source length\n"
                f"{self.length_table()}\n\nsacreBLEU {any_score.bleu_signature}\n"
                f"chrF {any_score.chrf_signature}")

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "scores": {k: asdict(v) for k, v in self.scores.items()}}


def evaluate_translator(tr: LoadedTranslator, task: TranslationTask, split: str = "test",
                        beam: int | None = None) -> TranslationEvaluation:
    """Score ``split`` of the task's data with greedy and beam decoding (``decode.beam``)."""
    encoded = task.splits.get(split)
    if encoded is None:
        raise ValueError(f"the run's data has no {split!r} split")
    beam = tr.decode.beam if beam is None else beam
    total, items = loss_sums(task, tr.model, task.batches(split, 0), carry_state=False,
                             precision="fp32", device=tr.model.decoder.output.weight.device)
    sources, refs = references(encoded.pairs)
    limit = tr.decode.eval_sentences
    if limit is not None and limit < len(sources):  # evenly spaced: files are often sorted by
        keep = [round(i * (len(sources) - 1) / max(limit - 1, 1)) for i in range(limit)]  # length
        sources, refs = [sources[i] for i in keep], [refs[i] for i in keep]
    lowercase = tr.data.level == "word" and tr.data.lowercase
    outputs = {"greedy": [t[0].text for t in translate(tr, sources, beam=1)]}
    if beam > 1:
        outputs[f"beam {beam}"] = [t[0].text for t in translate(tr, sources, beam=beam)]
    scores = {name: score_translations(hyps, refs, lowercase=lowercase)
              for name, hyps in outputs.items()}
    scores["copy source"] = copy_baseline(sources, refs, lowercase=lowercase)
    lengths = [len(s.split()) for s in sources]
    per_system = {name: bleu_by_length(hyps, refs, lengths, lowercase=lowercase)
                  for name, hyps in outputs.items()}
    first = next(iter(per_system.values()))
    by_length = [(label, n, {name: rows[i][2] for name, rows in per_system.items()})
                 for i, (label, n, _) in enumerate(first)]
    examples = [{"source": s, "references": r, **{k: v[i] for k, v in outputs.items()}}
                for i, (s, r) in enumerate(zip(sources[:5], refs[:5], strict=True))]
    return TranslationEvaluation(split, len(sources), len(encoded.pairs),
                                 math.exp(min(total / max(items, 1), 700.0)), scores, by_length,
                                 lowercase, examples)


def task_for(tr: LoadedTranslator) -> TranslationTask:
    """The run's data, split as in training, around a loaded model (for evaluation)."""
    data = tr.data
    split = load_parallel(data.path, normalize=data.normalize, reverse=data.reverse,
                          max_words=data.max_words, filter=data.filter,
                          valid=data.valid_fraction, test=data.test_fraction,
                          seed=data.split_seed)
    splits = {s: encode_split(items, tr.tokenizers) for s, items in split.items.items() if items}
    return TranslationTask(tr.model, tr.tokenizers, splits, data, tr.config["translate"])


def evaluate_run(run_dir: str | Path, split: str = "test", which: str = "best",
                 beam: int | None = None, device: str = "cpu") -> TranslationEvaluation:
    """``rnnlab translate evaluate``: BLEU, chrF, perplexity and the copy baseline of a run."""
    tr = load_translator(run_dir, which, device)
    return evaluate_translator(tr, task_for(tr), split, beam)


def heatmaps(tr: LoadedTranslator, sentences: list[str], paths: list[Path],
             beam: int = 1) -> list[Path]:
    """An attention heatmap PNG of each sentence's best translation at ``paths``; an error
    for a model without attention."""
    if tr.model.decoder.attention is None:
        raise ValueError("this model has no attention (model.attention = 'none'): no heatmap")
    written = []
    for path, result in zip(paths, translate(tr, sentences, beam=beam), strict=True):
        best = result[0]
        source_labels, target_labels = token_labels(tr, best)
        written.append(plot_attention(path, attention_weights(tr, best), source_labels,
                                      target_labels, title=f"{best.source} -> {best.text}"))
    return written


def finish(config: RunConfig, run_dir: Path, task: TranslationTask) -> TranslationEvaluation:
    """After training: score the test split (or valid), write report.md, evaluation.json and
    the attention heatmaps of a few test sentences."""
    run_dir = Path(run_dir)
    tr = load_translator(run_dir, "best" if "valid" in task.splits else "last")
    split = "test" if "test" in task.splits else "valid"
    result = evaluate_translator(tr, TranslationTask(tr.model, task.tokenizers, task.splits,
                                                     task.data, task.objective), split)
    sources, _ = references(task.splits[split].pairs)
    readable = [s for s in sources if len(s.split()) <= 12]  # the longest that fit a picture
    chosen = sorted(readable, key=lambda s: (-len(s.split()), s))[:config["decode"].heatmaps]
    pictures = [] if tr.model.decoder.attention is None else heatmaps(
        tr, chosen, [run_dir / "plots" / f"attention-{i + 1}.png" for i in range(len(chosen))])
    split_info = json.loads((run_dir / "split.json").read_text(encoding="utf-8"))["describe"] \
        if (run_dir / "split.json").is_file() else ""
    lines = ["# Translation", "", f"Data: `{config['data'].path}` "
             f"({config['data'].source_language} -> {config['data'].target_language}); "
             f"weights: {tr.meta.get('kind', 'best')} checkpoint (step {tr.meta.get('step')}).",
             "", "```", split_info, "```", "", "```", result.describe(), "```", ""]
    lines += [f"![attention {i + 1}](plots/{p.name})" for i, p in enumerate(pictures)]
    for example in result.examples:
        lines += ["", f"- source: {example['source']}", f"  - reference: "
                  f"{example['references'][0]}"]
        lines += [f"  - {k}: {v}" for k, v in example.items() if k not in ("source", "references")]
    (run_dir / REPORT).write_text("\n".join(lines) + "\n", encoding="utf-8")
    (run_dir / EVALUATION).write_text(json.dumps(result.to_dict(), indent=1,
                                                 ensure_ascii=False), encoding="utf-8")
    return result
