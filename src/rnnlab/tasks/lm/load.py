"""A trained language model from its run directory, and what the commands do with it.

:func:`load_lm` rebuilds the model from ``config.toml``, ``tokenizer.json`` and a
checkpoint alone; :func:`evaluate_run` scores a split (or another corpus) beside
the unigram baseline; :func:`finish` is what a finished ``lm train`` reports.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rnnlab.data.text.factory import load_tokenizer
from rnnlab.data.text.tokenizers import Tokenizer
from rnnlab.evaluation.language import LMScore, evaluate_stream, format_table, unigram_baseline
from rnnlab.models.language_model import LanguageModel
from rnnlab.tasks.config import read_run_config
from rnnlab.tasks.lm.config import SCHEMA, LMDataConfig
from rnnlab.tasks.lm.task import TOKENIZER_FILE, prepare_data
from rnnlab.training.checkpoint import BEST, CHECKPOINTS, load_weights
from rnnlab.training.precision import resolve_device

if TYPE_CHECKING:
    from rnnlab.tasks.config import RunConfig

log = logging.getLogger("rnnlab.lm")


@dataclass
class LoadedLM:
    """A trained language model rebuilt from its run directory."""

    model: LanguageModel  # or its int8 torch.nn twin (load_lm(quantize="int8"))
    tokenizer: Tokenizer
    config: RunConfig
    data: LMDataConfig
    meta: dict[str, Any]  # the checkpoint's meta.json


QUANTIZE = (None, "int8")


def load_lm(run_dir: str | Path, which: str = "best", device: str = "cpu",
            quantize: str | None = None) -> LoadedLM:
    """Model, tokenizer and config from a run directory (weights: ``best`` or ``last``).

    Reads only: a read-only run directory works. ``device``: ``cpu``, ``cuda``,
    ``cuda:N`` or ``auto``, checked before anything is read. ``quantize="int8"``:
    the model as its dynamically quantised torch.nn twin
    (:func:`rnnlab.models.quantized.quantize_lm`; CPU inference).
    """
    where = resolve_device(device, what="--device")
    if quantize not in QUANTIZE:
        raise ValueError(f"expected quantize in {QUANTIZE}, got {quantize!r}")
    if quantize is not None and where.type != "cpu":
        raise ValueError(f"int8 quantisation runs on the CPU, got --device {device}")
    run_dir = Path(run_dir)
    config = read_run_config(run_dir, SCHEMA)
    tokenizer = load_tokenizer(run_dir / TOKENIZER_FILE)
    model = LanguageModel(config["model"], tokenizer.vocab_size)
    if which == "best" and not (run_dir / CHECKPOINTS / BEST).exists():
        log.warning("%s has no best checkpoint (no validation text): using the last", run_dir)
        which = "last"
    meta = load_weights(model, run_dir, which=which)
    model.to(where).eval()
    if quantize == "int8":
        from rnnlab.models.quantized import quantize_lm

        model = quantize_lm(model)
    return LoadedLM(model, tokenizer, config, config["data"], meta)


@dataclass
class LMEvaluation:
    """The model and the unigram baseline on one split."""

    split: str
    source: str  # the corpus scored
    model: LMScore
    unigram: LMScore
    vocab_size: int
    level: str

    def table(self) -> str:
        rows = [(name, f"{s.loss:.4f}", f"{s.perplexity:.2f}", f"{s.bits_per_token:.4f}")
                for name, s in (("model", self.model), ("unigram", self.unigram))]
        return format_table(rows, ["", "nats/token", "perplexity", "bits/token"])

    def describe(self) -> str:
        return (f"{self.split} split of {self.source}: {self.model.tokens} predictions, "
                f"vocabulary {self.vocab_size} ({self.level})\n{self.table()}")


def evaluate_loaded(lm: LoadedLM, split: str = "test", corpus: str | None = None) -> LMEvaluation:
    """Score ``split`` of the run's corpus (or of ``corpus``) and the unigram baseline."""
    data_cfg = lm.data if corpus is None else replace(
        lm.data, path=corpus, valid_fraction=0.0, test_fraction=0.0)
    prepared = prepare_data(replace(data_cfg, max_train_tokens=None), lm.tokenizer)
    if split not in prepared.ids:
        raise ValueError(f"the corpus {data_cfg.path} has no {split!r} split "
                         f"(it has {sorted(prepared.ids)})")
    ids = prepared.ids[split]
    score = evaluate_stream(lm.model, ids, batch_size=lm.data.eval_batch_size, bptt=lm.data.bptt)
    base = unigram_baseline(prepared.ids["train"], ids, lm.tokenizer.vocab_size)
    return LMEvaluation(split, data_cfg.path, score, base, lm.tokenizer.vocab_size,
                        lm.tokenizer.kind)


def evaluate_run(run_dir: str | Path, split: str = "test", corpus: str | None = None,
                 which: str = "best", device: str = "cpu",
                 quantize: str | None = None) -> LMEvaluation:
    """``rnnlab lm evaluate``: the run's model next to the unigram baseline."""
    return evaluate_loaded(load_lm(run_dir, which, device, quantize), split, corpus)


def finish(config: RunConfig, run_dir: Path, task: Any) -> list[LMEvaluation]:
    """After training: the model next to the unigram baseline on valid and test, in report.md.

    A short run can look fine in its loss curve and still lose to the unigram
    model; saying so at the end of ``lm train`` is what makes that visible.
    """
    lm = load_lm(run_dir, "best")
    splits = [s for s in ("valid", "test") if s in task.streams]
    results = [evaluate_loaded(lm, split) for split in splits]
    write_report(run_dir, "# Language model", f"Weights: {lm.meta.get('kind', 'best')} "
                 f"checkpoint (step {lm.meta.get('step', '?')}).", results)
    return results


def write_report(run_dir: str | Path, title: str, note: str,
                 results: list[LMEvaluation]) -> None:
    """report.md: the title, a note on the model, one table per split beside the unigram."""
    lines = [title, "", note, ""]
    for result in results:
        lines += [f"## {result.split}", "", "```", result.describe(), "```", ""]
    if not results:
        lines.append("No validation or test text: nothing to compare with the unigram model.")
    (Path(run_dir) / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


@dataclass
class NextWords:
    """The most probable next tokens after a prompt, with the rare-word mass kept apart."""

    prompt: str
    rows: list[tuple[str, float]]  # (token, p), most probable first, <unk> left out
    unk: float | None  # p(<unk>): every word outside the vocabulary together, if in the top k
    unknown: list[str]  # prompt words read as <unk>

    def describe(self, vocab_size: int) -> str:
        lines = [f"{self.prompt} ___",
                 format_table([(t, f"{p:.4f}") for t, p in self.rows], ["next", "p"])]
        if self.unk is not None:
            lines.append(f"(<unk>, any word outside the {vocab_size}-word vocabulary: "
                         f"{self.unk:.4f})")
        if self.unknown:
            lines.append(f"(not in the vocabulary, read as <unk>: {', '.join(self.unknown)})")
        return "\n".join(lines)


def next_words(lm: LoadedLM, prompt: str, k: int = 10) -> NextWords:
    """The ``k`` most probable next tokens after ``prompt`` ("abastecer o ___" works too)."""
    from rnnlab.evaluation.language import next_token_distribution

    tok = lm.tokenizer
    prompt = prompt.rstrip().removesuffix("___").rstrip()
    ids = tok.encode(prompt)
    top = next_token_distribution(lm.model, ids, start_id=tok.eos_id, k=k + 1)
    rows = [(tok.vocab[i], p) for i, p in top if i != tok.unk_id][:k]
    unk = next((p for i, p in top if i == tok.unk_id), None)
    unknown = [w for w, i in zip(tok.split(prompt), ids, strict=True) if i == tok.unk_id]
    return NextWords(prompt, rows, unk, unknown)


@dataclass
class SentenceScore:
    """log p of each token of a sentence (``<eos>`` included) and of the whole."""

    tokens: list[str]
    log_probs: list[float]  # natural log, one per token

    @property
    def total(self) -> float:
        return sum(self.log_probs)

    def describe(self) -> str:
        rows = [(t, f"{lp:.3f}", f"{math.exp(lp):.4f}")
                for t, lp in zip(self.tokens, self.log_probs, strict=True)]
        n = len(self.tokens)
        return (format_table(rows, ["token", "log p", "p"]) + "\n"
                f"log p(sentence) = {self.total:.3f} nats (p = {math.exp(self.total):.3e}; {n} "
                f"tokens with <eos>, perplexity {math.exp(-self.total / n):.1f})")


def score_sentence(lm: LoadedLM, sentence: str) -> SentenceScore:
    """How probable the model finds ``sentence``, token by token (after ``<eos>``)."""
    from rnnlab.evaluation.language import token_log_probs

    tok = lm.tokenizer
    ids = tok.encode(sentence, add_eos=True)
    return SentenceScore(tok.tokens(ids), token_log_probs(lm.model, ids, start_id=tok.eos_id))


def generate_text(lm: LoadedLM, prompt: str, config: Any, *, model: Any = None,
                  allow_unk: bool = False) -> Iterator[str]:
    """Sample a continuation of ``prompt`` (a ``SamplingConfig``), yielding the text piece by
    piece as it is decoded (``<unk>`` banned unless ``allow_unk``); ``model``: another
    engine with the model's call signature (onnxruntime), else the run's own."""
    from rnnlab.generation import generate

    tok = lm.tokenizer
    config = replace(config, banned=() if allow_unk else (tok.unk_id,))
    made: list[int] = []
    shown = ""
    for token in generate(model or lm.model, tok.encode(prompt), config, start_id=tok.eos_id,
                          eos_id=tok.eos_id):
        made.append(token)
        text = tok.decode(made)
        yield text[len(shown):]
        shown = text


def beam_texts(lm: LoadedLM, prompt: str, beam: int, max_tokens: int, *,
               allow_unk: bool = False) -> list[tuple[float, str]]:
    """The ``beam`` most probable continuations of ``prompt``: (log p, text), best first."""
    from rnnlab.generation import beam_search

    tok = lm.tokenizer
    hyps = beam_search(lm.model, tok.encode(prompt), start_id=tok.eos_id, eos_id=tok.eos_id,
                       beam_width=beam, max_tokens=max_tokens,
                       banned=() if allow_unk else (tok.unk_id,))
    return [(h.log_prob, tok.decode(h.ids).strip()) for h in hyps]
