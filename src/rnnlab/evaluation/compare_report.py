"""The report of ``rnnlab compare``: one table, one plot of learning curves, one JSON file.

Each model is one :class:`CompareEntry` (what it is, its size, how long it
trained, its scores); :func:`write_compare_report` writes ``compare.md``,
``compare.json`` and ``plots/compare_curves.png`` (the validation metric
against wall-clock seconds, every model on one plot: who gets where first).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rnnlab.evaluation.agreement import AgreementResult
from rnnlab.evaluation.figures import save_figure
from rnnlab.evaluation.language import format_table


@dataclass
class CompareEntry:
    """One model of a comparison: size, time, scores, curve."""

    name: str  # as given to --models (lstm, transformer, ngram …)
    what: str  # e.g. "rnn lstm, 2x200" / "5-gram KN"
    params: int  # trainable parameters (n-gram: stored counts and keys)
    steps: int  # optimizer steps (0: counted, not trained)
    seconds: float  # wall clock of training (or counting), evaluations included
    cpu_seconds: float  # CPU time of the training process over the same span
    seconds_per_step: float | None  # median wall time of one optimizer step
    cpu_per_step: float | None  # median CPU time of one (between two consecutive steps)
    stopped: str  # completed, max_seconds, max_steps, early_stopping …
    scores: dict[str, float]  # the task's final numbers (test perplexity, MAE …)
    curve: list[tuple[float, float]] = field(default_factory=list)  # (s, valid metric)
    agreement: dict[str, Any] | None = None  # accuracy, scored, by_attractors {n: accuracy}


def agreement_summary(result: AgreementResult) -> dict[str, Any]:
    """The probe's numbers for the report: overall and by number of attractors."""
    return {"accuracy": result.accuracy, "scored": result.total, "skipped": result.skipped,
            "by_attractors": {n: c / t for n, (c, t) in sorted(result.by_attractors.items())},
            "counts": {n: t for n, (_, t) in sorted(result.by_attractors.items())}}


def _number(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.4g}" if abs(value) < 1000 else f"{value:,.0f}"


def markdown_rows(headers: list[str], rows: list[list[Any]]) -> list[str]:
    """A markdown table: a header row, the rule, one line per row."""
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(c if isinstance(c, str) else _number(c) for c in r) + " |"
            for r in rows]
    return out


def plot_curves(path: Path, entries: list[CompareEntry], metric: str, log_y: bool,
                clock: str = "wall_time") -> Path | None:
    """Validation ``metric`` against seconds of ``clock``, one line (or point) per model."""
    if not any(e.curve for e in entries):
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    for i, entry in enumerate(entries):
        if entry.curve:
            xs, ys = zip(*entry.curve, strict=True)
            style = "*" if len(xs) == 1 else "o-"
            ax.plot(xs, ys, style, color=f"C{i % 10}", label=entry.name, ms=8 if
                    len(xs) == 1 else 3, lw=1.2)
    what = "CPU" if clock == "cpu_time" else "wall-clock"
    ax.set(xlabel=f"{what} seconds of training", ylabel=f"validation {metric}",
           title=f"validation {metric} against {what} time")
    if log_y:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return save_figure(fig, path, dpi=100)


def write_compare_report(out_dir: str | Path, title: str, notes: list[str],
                         entries: list[CompareEntry], metric: str, *,
                         baselines: dict[str, dict[str, float]] | None = None,
                         clock: str = "wall_time", log_y: bool = False) -> Path:
    """compare.md, compare.json and the curves plot in ``out_dir``; returns compare.md."""
    out_dir = Path(out_dir)
    keys = list(dict.fromkeys(k for e in entries for k in e.scores))
    headers = ["model", "what", "parameters", "steps", "wall s", "CPU s", "s/step",
               "CPU s/step", "stopped", *keys]
    rows = [[e.name, e.what, e.params, e.steps, e.seconds, e.cpu_seconds, e.seconds_per_step,
             e.cpu_per_step, e.stopped, *(e.scores.get(k) for k in keys)] for e in entries]
    for name, scores in (baselines or {}).items():
        rows.append([name, "baseline", *["–"] * 7, *(scores.get(k) for k in keys)])
    lines = [f"# {title}", "", *notes, "", *markdown_rows(headers, rows), ""]
    probed = [e for e in entries if e.agreement]
    if probed:
        counts = {n: c for e in probed for n, c in e.agreement["counts"].items()}
        columns = sorted(counts)
        lines += ["## Subject–verb agreement (Linzen et al. 2016) by number of attractors", "",
                  "Share of sentences where the model prefers the verb form that agrees with "
                  "the subject (chance 0.5); sentences per column in the header.", ""]
        lines += markdown_rows(
            ["model", *(f"{n} ({counts[n]})" for n in columns), "all", "skipped"],
            [[e.name, *(e.agreement["by_attractors"].get(n) for n in columns),
              e.agreement["accuracy"], e.agreement["skipped"]] for e in probed])
        lines.append("")
    plot = plot_curves(out_dir / "plots" / "compare_curves.png", entries, metric, log_y, clock)
    if plot is not None:
        lines += [f"![validation {metric} against time](plots/{plot.name})", ""]
    path = out_dir / "compare.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    data = {"title": title, "notes": notes, "metric": metric, "clock": clock,
            "baselines": baselines or {},
            "models": [asdict(e) for e in entries]}
    (out_dir / "compare.json").write_text(json.dumps(data, indent=2, default=str),
                                          encoding="utf-8")
    print_table = format_table([[str(c) if isinstance(c, str) else _number(c) for c in r]
                                for r in rows], headers)
    (out_dir / "compare.txt").write_text(print_table + "\n", encoding="utf-8")
    return path
