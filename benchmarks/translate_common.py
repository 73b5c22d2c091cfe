"""Shared by the translation benchmarks: train rnnlab systems to a CPU budget, score, print.

Every rnnlab system trains through the one recipe (``rnnlab.tasks.train``) and is
scored by its own finish step (sacrebleu BLEU and chrF on the test split, per
distinct source sentence against all its references, greedy and beam 5). The
CPU budget is honoured by a short probe (the CPU seconds of 30 training steps
of that exact model) that sets ``train.max_steps``; the training time reported
is the measured process CPU time from the first to the last training step
(validation included, test decoding excluded), so a row may miss its budget
by the probe's error, visibly. Process CPU time, not wall time: the machine is
shared, and the other engineers' jobs stretch wall time unevenly.
"""

from __future__ import annotations

import copy
import json
import platform
import shutil
import time
from pathlib import Path
from typing import Any

import torch

from rnnlab.evaluation.language import format_table
from rnnlab.evaluation.translation import bleu_by_length, score_translations
from rnnlab.tasks import get_task, resolve_config, train

BASE = {"cell": "gru", "hidden_size": 256, "embedding_size": 256}  # every rnnlab row's network
DECODERS = {  # the table: the context vector against attention
    "context vector (no attention)": {**BASE, "attention": "none"},
    "Bahdanau": {**BASE, "attention": "bahdanau"},
    "Luong dot": {**BASE, "attention": "luong-dot"},
    "Luong general": {**BASE, "attention": "luong-general"},
}


class CPUClock:
    """A trainer callback noting the process CPU time at the first and last step."""

    def __init__(self) -> None:
        self.first: float | None = None
        self.last = 0.0

    def on_step_end(self, trainer, step, result):
        now = time.process_time()
        self.first = now if self.first is None else self.first
        self.last = now


def probe_seconds_per_step(config: dict, steps: int = 30) -> float:
    """CPU seconds per training step of ``config``'s model on its own batches."""
    resolved = resolve_config(copy.deepcopy(config))
    scratch = Path(f"/tmp/rnnlab-probe-{resolved.kind}")
    shutil.rmtree(scratch, ignore_errors=True)
    task = get_task(resolved.kind).build(resolved, scratch)
    shutil.rmtree(scratch, ignore_errors=True)
    optimizer = torch.optim.Adam(task.model.parameters(), lr=resolved.train.lr)
    batches = task.batches("train", 0)
    task.model.train()
    start = None
    for i in range(steps + 3):
        if i == 3:
            start = time.process_time()  # the first steps warm the allocator up
        loss = task.step(batches[i % len(batches)], None).loss
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(task.model.parameters(), 1.0)
        optimizer.step()
    return (time.process_time() - start) / steps


def train_within(config: dict, budget_s: float, run_dir: Path) -> tuple[Any, float]:
    """Train ``config`` into ``run_dir`` within about ``budget_s`` CPU seconds (a probe sets
    ``train.max_steps``); the RunResult and the CPU seconds from the first to the last step."""
    per_step = probe_seconds_per_step(config)
    config = copy.deepcopy(config)
    config.setdefault("train", {})
    config["train"].update({"max_steps": max(50, int(0.92 * budget_s / per_step)),
                            "epochs": 1000, "progress": False})
    shutil.rmtree(run_dir, ignore_errors=True)
    clock = CPUClock()
    result = train(config, run_dir, callbacks=[clock])
    return result, clock.last - (clock.first or clock.last)


def run_system(name: str, config: dict, budget_s: float, run_root: Path) -> dict[str, Any]:
    """Train one rnnlab system within ``budget_s`` CPU seconds; its row of the table."""
    run_dir = run_root / name.replace(" ", "_").replace("/", "-").replace(":", "")
    result, cpu_s = train_within(config, budget_s, run_dir)
    evaluation = result.report
    beam = next(k for k in evaluation.scores if k.startswith("beam"))
    return {"system": name, "greedy": evaluation.scores["greedy"], "beam": evaluation.scores[beam],
            "copy": evaluation.scores["copy source"], "perplexity": evaluation.perplexity,
            "train_cpu_s": cpu_s, "steps": result.summary.get("steps"),
            "by_length": evaluation.by_length, "run_dir": str(run_dir),
            "sources": evaluation.sources}


def peer_row(outputs: list[str], sources: list[str], refs: list[list[str]],
             info: dict[str, Any]) -> dict[str, Any]:
    """The tutorial peer's row, scored exactly as rnnlab's finish step scores a system."""
    lengths = [len(s.split()) for s in sources]
    score = score_translations(outputs, refs, lowercase=True)
    by_length = [(label, n, {"greedy": bleu}) for label, n, bleu in
                 bleu_by_length(outputs, refs, lengths, lowercase=True)]
    return {"system": "PyTorch tutorial (peer)", "greedy": score, "beam": None, "copy": None,
            "perplexity": None, "train_cpu_s": info["train_cpu_s"], "steps": info["steps"],
            "by_length": by_length, "epochs": info["epochs"], "sources": len(sources)}


def print_tables(title: str, rows: list[dict[str, Any]]) -> str:
    """The benchmark table, the BLEU-by-length table and the signatures; also returned."""
    lines = [f"## {title}", "", f"machine: {platform.machine()} {platform.processor() or ''}, "
             f"torch {torch.__version__}, 1 thread; {time.strftime('%Y-%m-%d')}", ""]
    table = [(r["system"], f"{r['greedy'].bleu:.2f}",
              "-" if r["beam"] is None else f"{r['beam'].bleu:.2f}",
              f"{r['greedy'].chrf:.2f}", "-" if r["beam"] is None else f"{r['beam'].chrf:.2f}",
              "-" if r["perplexity"] is None else f"{r['perplexity']:.2f}",
              f"{r['train_cpu_s']:.0f}", r["steps"]) for r in rows]
    copy_row = next((r["copy"] for r in rows if r["copy"] is not None), None)
    if copy_row is not None:
        table.append(("copy the source (baseline)", f"{copy_row.bleu:.2f}", "-",
                      f"{copy_row.chrf:.2f}", "-", "-", "0", "-"))
    lines.append(format_table(table, ["system", "BLEU greedy", "BLEU beam 5", "chrF greedy",
                                      "chrF beam 5", "test ppl", "train CPU s", "steps"]))
    buckets = [label for label, _, _ in rows[0]["by_length"]]
    length_rows = []
    for r in rows:
        found = {label: bleus for label, _, bleus in r["by_length"]}
        best = "beam 5" if any("beam 5" in b for b in found.values()) else "greedy"
        length_rows.append((r["system"] + f" ({best})",
                            *(f"{found[b].get(best, found[b]['greedy']):.2f}" if b in found
                              else "-" for b in buckets)))
    counts = {label: n for label, n, _ in rows[0]["by_length"]}
    lines += ["", "BLEU by source length (words; sentences per bucket: "
              + ", ".join(f"{b}: {counts[b]}" for b in buckets) + ")",
              format_table(length_rows, ["system", *buckets]), "",
              f"sacreBLEU {rows[0]['greedy'].bleu_signature}",
              f"chrF {rows[0]['greedy'].chrf_signature}"]
    text = "\n".join(lines)
    print(text, flush=True)
    return text


def save_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    def plain(value: Any) -> Any:
        if hasattr(value, "bleu"):
            return {"bleu": value.bleu, "chrf": value.chrf}
        return value

    path.write_text(json.dumps([{k: plain(v) for k, v in r.items()} for r in rows], indent=1),
                    encoding="utf-8")
