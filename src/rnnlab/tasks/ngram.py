"""The n-gram language model as a task: ``[task] kind = "ngram"``, counted instead of trained.

The same ``[data]`` section, tokenizer and token streams as the ``lm`` task, so
its perplexity is measured on exactly the predictions an RNN language model's
is (:func:`rnnlab.evaluation.language.evaluate_counts_stream`), and the same run
directory: ``config.toml``, ``tokenizer.json``, the model (``ngram.safetensors``
+ ``ngram.json``), ``metrics.jsonl`` (one validation record, at the wall time
the counting took) and ``report.md`` beside the unigram baseline. Fitting goes
through :attr:`TaskKind.fit`, not the SGD loop: there is nothing to optimise.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomli_w

from rnnlab.data.text.factory import load_tokenizer
from rnnlab.evaluation.language import evaluate_counts_stream, unigram_baseline
from rnnlab.models.ngram import KneserNeyLM, NGramConfig
from rnnlab.tasks.config import CONFIG_FILE, read_run_config
from rnnlab.tasks.kind import ConfigSchema, TaskKind
from rnnlab.tasks.lm.config import LMDataConfig
from rnnlab.tasks.lm.load import LMEvaluation, write_report
from rnnlab.tasks.lm.task import TOKENIZER_FILE, LMData, prepare_data
from rnnlab.training.files import atomic_write_text
from rnnlab.training.metrics import MetricsLog

if TYPE_CHECKING:
    from rnnlab.tasks.config import RunConfig

SCHEMA = ConfigSchema(name="ngram", sections={"data": LMDataConfig, "model": NGramConfig})


@dataclass
class NGramRun:
    """What ``build`` prepares for ``fit`` and ``finish``: the data, then the fitted model."""

    data: LMData
    model: KneserNeyLM | None = None

    @property
    def streams(self) -> dict[str, Any]:  # the splits there are (as the lm task's streams)
        return self.data.ids


def build(config: RunConfig, run_dir: Path) -> NGramRun:
    """Read the corpus and build (or, resuming, reread) the tokenizer, as the lm task does."""
    saved = Path(run_dir) / TOKENIZER_FILE
    prepared = prepare_data(config["data"], load_tokenizer(saved) if saved.is_file() else None)
    return NGramRun(prepared)


def fit(config: RunConfig, run_dir: Path, run: NGramRun) -> dict[str, Any]:
    """Count the training stream, save the model and the validation score; the summary."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(run_dir / CONFIG_FILE, tomli_w.dumps(config.to_dict()))
    run.data.tokenizer.save(run_dir / TOKENIZER_FILE)
    start, cpu_start = time.perf_counter(), time.process_time()
    run.model = KneserNeyLM.fit(run.data.ids["train"], run.data.tokenizer.vocab_size,
                                config["model"])
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    run.model.save(run_dir, extra={"fit_seconds": round(seconds, 3),
                                   "train_tokens": len(run.data.ids["train"])})
    best = None
    log = MetricsLog(run_dir)
    try:
        if "valid" in run.data.ids:
            score = evaluate_counts_stream(run.model, run.data.ids["valid"],
                                           batch_size=config["data"].eval_batch_size)
            best = score.loss
            log.write({"step": 0, "epoch": 0, "split": "valid", "loss": score.loss,
                       "perplexity": score.perplexity, "bits_per_token": score.bits_per_token,
                       "best": True, "wall_time": seconds, "cpu_time": cpu})
        log.sync()
    finally:
        log.close()
    return {"stopped": "completed", "steps": 0, "epochs": 0, "skipped_steps": 0,
            "best_valid_loss": best, "best_step": 0 if best is not None else None,
            "valid": None if best is None else {"loss": best}, "wall_time": seconds,
            "cpu_time": cpu,
            "run_dir": str(run_dir), "last_checkpoint": None}


def evaluate_loaded(run_dir: Path, config: RunConfig, model: KneserNeyLM, data: LMData,
                    split: str) -> LMEvaluation:
    """``split`` of the run's corpus: the n-gram model next to the unigram baseline."""
    if split not in data.ids:
        raise ValueError(f"the corpus {config['data'].path} has no {split!r} split "
                         f"(it has {sorted(data.ids)})")
    ids = data.ids[split]
    score = evaluate_counts_stream(model, ids, batch_size=config["data"].eval_batch_size)
    base = unigram_baseline(data.ids["train"], ids, data.tokenizer.vocab_size)
    return LMEvaluation(split, config["data"].path, score, base, data.tokenizer.vocab_size,
                        data.tokenizer.kind)


def evaluate_run(run_dir: str | Path, split: str = "test") -> LMEvaluation:
    """Score ``split`` with a saved n-gram run (its own config, tokenizer and counts)."""
    run_dir = Path(run_dir)
    config = read_run_config(run_dir, SCHEMA)
    tokenizer = load_tokenizer(run_dir / TOKENIZER_FILE)
    data = prepare_data(replace(config["data"], max_train_tokens=None), tokenizer)
    return evaluate_loaded(run_dir, config, KneserNeyLM.load(run_dir), data, split)


def finish(config: RunConfig, run_dir: Path, run: NGramRun) -> list[LMEvaluation]:
    """valid and test beside the unigram baseline, in report.md (as ``lm train`` reports)."""
    model = run.model or KneserNeyLM.load(run_dir)
    results = [evaluate_loaded(run_dir, config, model, run.data, split)
               for split in ("valid", "test") if split in run.data.ids]
    write_report(run_dir, f"# {model.order}-gram language model (interpolated modified "
                 f"Kneser–Ney)", f"Counts of {len(run.data.ids['train'])} training tokens.",
                 results)
    return results


KIND = TaskKind(
    schema=SCHEMA,
    build=build,
    fit=fit,
    finish=finish,
    description="n-gram language model, interpolated modified Kneser–Ney (counted, not trained)",
)
