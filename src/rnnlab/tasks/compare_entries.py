"""What ``rnnlab compare`` reads back from each finished run: the report's row for it.

Parameters from the model the run rebuilds, steps and seconds from its summary,
seconds per step and the learning curve from ``metrics.jsonl``, final scores
from the task's own report (language models: perplexity or bits per character
on valid and test; forecasters: MAE, RMSE, MASE and the baselines; any other
task: its best validation numbers, and the test split's from its
``evaluation.json``) and, for language models, the agreement probe.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable
from itertools import pairwise
from pathlib import Path
from typing import Any

from rnnlab.evaluation.agreement import agreement_accuracy, read_agreement
from rnnlab.evaluation.compare_report import CompareEntry, agreement_summary
from rnnlab.tasks.config import RunConfig
from rnnlab.tasks.registry import get_task
from rnnlab.tasks.run import RunResult
from rnnlab.training.metrics import read_metrics


def run_entry(name: str, config: RunConfig, result: RunResult, agreement: Path | None,
              clock: str) -> CompareEntry:
    """The report's row for a finished run: size, steps, time per step, scores, curve and
    (``agreement``: NAME.text + NAME.gold) the agreement probe by attractors."""
    run_dir = result.run_dir
    summary = result.summary
    records = read_metrics(run_dir) if (run_dir / "metrics.jsonl").is_file() else []
    trained = [r for r in records if r.get("split") == "train" and r.get("items_per_s")]
    steps = [r["items"] / r["items_per_s"] for r in trained]  # wall seconds of each step
    cpu = [b["cpu_time"] - a["cpu_time"] for a, b in pairwise(trained)
           if "cpu_time" in a and "cpu_time" in b and b["step"] == a["step"] + 1]
    metric = _metric_name(records)
    curve = [(r[clock], r[metric]) for r in records
             if r.get("split") == "valid" and r.get(metric) is not None and clock in r]
    model, what, tokenizer, scores = _loaded(config, run_dir, result.report)
    entry = CompareEntry(
        name, what, _parameters(model), int(summary.get("steps", 0)),
        float(summary.get("wall_time", 0.0)), float(summary.get("cpu_time", 0.0)),
        statistics.median(steps) if steps else None, statistics.median(cpu) if cpu else None,
        str(summary.get("stopped")), scores, curve)
    if agreement is not None:
        items = read_agreement(agreement, lowercase=getattr(tokenizer, "lowercase", False))
        entry.agreement = agreement_summary(agreement_accuracy(model, tokenizer, items))
    return entry


def _metric_name(records: Iterable[dict[str, Any]]) -> str:
    valid = [r for r in records if r.get("split") == "valid"]
    for key in ("perplexity", "bpc", "rmse_scaled"):
        if any(key in r for r in valid):
            return key
    return "loss"


def curve_metric(entries: list[CompareEntry]) -> str:
    names = {k for e in entries for k in e.scores}
    return "perplexity" if "test perplexity" in names or "valid perplexity" in names else (
        "bpc" if any("bpc" in k for k in names) else "loss")


def _loaded(config: RunConfig, run_dir: Path, report: Any) -> tuple[Any, str, Any, dict]:
    """(model, a description, tokenizer or None, final scores) of a finished run."""
    if config.kind == "ngram":
        from rnnlab.data.text.factory import load_tokenizer
        from rnnlab.models.ngram import KneserNeyLM

        model = KneserNeyLM.load(run_dir)
        return (model, f"{model.order}-gram, modified Kneser–Ney",
                load_tokenizer(run_dir / "tokenizer.json"), _lm_scores(report))
    if config.kind == "lm":
        from rnnlab.tasks.lm import load_lm

        lm = load_lm(run_dir, "best")
        return lm.model, _describe(config["model"]), lm.tokenizer, _lm_scores(report)
    if config.kind == "forecast":
        from rnnlab.tasks.forecast import load_run

        overall = next(iter(report["overall"].values()))  # the model's row comes first
        scores = {f"{report['split']} {k}": overall[k] for k in ("mae", "rmse", "mase")
                  if k in overall}
        return load_run(run_dir).model, _describe(config["model"]), None, scores
    kind = get_task(config.kind)  # any other task: its best validation numbers
    if kind.load_model is None:
        raise ValueError(f"compare: the {kind.name!r} task cannot rebuild its model "
                         "(TaskKind.load_model)")
    best = [r for r in read_metrics(run_dir) if r.get("split") == "valid" and r.get("best")]
    skip = {"step", "epoch", "split", "best", "wall_time", "cpu_time", "nonfinite"}
    scores = {f"valid {k}": v for k, v in (best[-1] if best else {}).items()
              if k not in skip and isinstance(v, (int, float))}
    scores.update(_test_scores(run_dir))
    return kind.load_model(run_dir, "best"), _describe(config["model"]), None, scores


def _test_scores(run_dir: Path) -> dict[str, float]:
    """The test split's scores in the run's ``evaluation.json`` (classify, tag …), if any:
    its fractional numbers (not counts, not the baselines every model shares), and an
    entity F1 where the task scores entities."""
    path = run_dir / "evaluation.json"
    test = json.loads(path.read_text(encoding="utf-8")).get("test") if path.is_file() else None
    if not isinstance(test, dict):
        return {}
    scores = {f"test {k}": v for k, v in test.items() if isinstance(v, float)
              and not k.startswith(("baseline", "majority"))}
    if isinstance(test.get("entities"), dict) and "f1" in test["entities"]:
        scores["test entity f1"] = test["entities"]["f1"]
    return scores


def _lm_scores(report: Any) -> dict[str, float]:
    scores = {}
    for evaluation in report or []:
        key = "bpc" if evaluation.level == "char" else "perplexity"
        value = (evaluation.model.bits_per_token if key == "bpc"
                 else evaluation.model.perplexity)
        scores[f"{evaluation.split} {key}"] = value
    return scores


def _describe(model: Any) -> str:
    size = f"{model.num_layers}×{model.hidden_size}"
    both = ", bidirectional" if model.bidirectional else ""
    if model.encoder == "rnn":
        return f"{model.cell}, {size}{both}"
    extra = {"transformer": f", {model.num_heads} heads", "cnn": f", k={model.kernel_size}",
             "mlp": f", window {model.window}"}.get(model.encoder, "")
    return f"{model.encoder}, {size}{extra}{both}"


def _parameters(model: Any) -> int:
    if hasattr(model, "parameters"):
        return sum(p.numel() for p in model.parameters())
    return model.num_parameters()


def forecast_baselines(run_dir: Path) -> dict[str, dict[str, float]]:
    """The baselines every forecast report scores (same windows for every model)."""
    result = json.loads((run_dir / "evaluation.json").read_text(encoding="utf-8"))
    names = {"persistence", "seasonal_naive", "linear_ar"}
    return {n: {f"{result['split']} {k}": v for k, v in s.items() if k in ("mae", "rmse", "mase")}
            for n, s in result["overall"].items() if n in names}
