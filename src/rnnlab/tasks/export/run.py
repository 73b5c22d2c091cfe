"""``rnnlab export RUN --format onnx``: a trained run as ONNX graphs plus a metadata JSON.

What is written (default folder ``RUN/export/onnx``):

* language model: ``step.onnx`` (one step, any cell: token (B,) + state -> logits
  (B, V) + state) and, for cells with a fused kernel, ``sequence.onnx`` (tokens
  (T, B) + state -> logits (T, B, V) + state, native ONNX LSTM/GRU/RNN operators,
  any T and B); ``tokenizer.json`` copied beside;
* forecaster: ``forecaster.onnx`` (x (B, L, F), known (B, H, C) -> raw outputs
  (B, H, K, P); any B; fused cells run native operators, other cells the loop
  unrolled over the run's L steps);
* ``export.json``: the graphs with their input and output names and shapes, the
  vocabulary (LM) or the scaler, columns and calendar (forecaster), the run's
  whole config, and the versions that wrote it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import torch

from rnnlab.tasks.export.graphs import (
    OPSET,
    ForecastGraph,
    LMSequence,
    LMStep,
    export_onnx,
    state_names,
)
from rnnlab.tasks.registry import load_run_config

FORMATS = ("onnx",)
META_FILE = "export.json"


def _require_onnx() -> None:
    try:
        import onnx  # noqa: F401
    except ImportError:
        raise ValueError("ONNX export needs the onnx package: pip install 'rnnlab[onnx]'") from None


def export_lm(lm: Any, out: Path, tokenizer_file: Path | None = None) -> dict[str, Any]:
    """``step.onnx`` (every cell) and ``sequence.onnx`` (fused cells) of a loaded LM, and
    ``tokenizer_file`` (the run's tokenizer.json) copied beside them."""
    model = lm.model.cpu().eval()
    names = state_names(model)
    B, T = 2, 3  # the example's sizes; every axis below is dynamic
    widths = [layer.hidden_size for layer in model.layers for _ in layer.state_names]
    graphs: dict[str, Any] = {}
    step_states = tuple(torch.zeros(B, h) for h in widths)
    export_onnx(LMStep(model), (torch.zeros(B, dtype=torch.long), *step_states),
                out / "step.onnx", ["token", *names], ["logits", *(n + "_out" for n in names)],
                {name: {0: "B"} for name in ["token", "logits", *names,
                                             *(n + "_out" for n in names)]})
    graphs["step"] = {"file": "step.onnx", "inputs": {"token": ["B"], **{
        n: ["B", h] for n, h in zip(names, widths, strict=True)}},
        "outputs": {"logits": ["B", lm.tokenizer.vocab_size]}}
    if all(layer.fused_available() for layer in model.layers):
        seq_states = tuple(torch.zeros(1, B, h) for h in widths)
        export_onnx(LMSequence(model), (torch.zeros(T, B, dtype=torch.long), *seq_states),
                    out / "sequence.onnx", ["tokens", *names],
                    ["logits", *(n + "_out" for n in names)],
                    {"tokens": {0: "T", 1: "B"}, "logits": {0: "T", 1: "B"},
                     **{n: {1: "B"} for n in [*names, *(n + "_out" for n in names)]}})
        graphs["sequence"] = {"file": "sequence.onnx", "inputs": {"tokens": ["T", "B"], **{
            n: [1, "B", h] for n, h in zip(names, widths, strict=True)}},
            "outputs": {"logits": ["T", "B", lm.tokenizer.vocab_size]}}
    if tokenizer_file is not None:
        shutil.copyfile(tokenizer_file, out / "tokenizer.json")
    tok = lm.tokenizer
    return {"graphs": graphs, "state": names, "tokenizer": "tokenizer.json",
            "vocabulary": list(tok.vocab), "eos_id": tok.eos_id, "unk_id": tok.unk_id,
            "level": tok.kind}


def export_forecaster(run: Any, out: Path) -> dict[str, Any]:
    """``forecaster.onnx`` of a loaded forecast run (a single model, not an ensemble)."""
    model = run.model.cpu().eval()
    if not hasattr(model, "shape"):
        raise ValueError("ONNX export takes a single forecast run, not an ensemble: "
                         "export each member run")
    s, L = model.shape, run.config["window"].lookback
    # fused encoders become native ONNX operators: any window length; other cells unroll
    fused = model.encoder.fused_available() and model.config.strategy == "direct"
    export_onnx(ForecastGraph(model), (torch.zeros(2, L, s.input_size),
                                       torch.zeros(2, s.horizon, s.known_size)),
                out / "forecaster.onnx", ["x", "known"], ["raw"],
                {"x": {0: "B", 1: "L"} if fused else {0: "B"}, "known": {0: "B"},
                 "raw": {0: "B"}})
    return {"graphs": {"forecaster": {
        "file": "forecaster.onnx",
        "inputs": {"x": ["B", L if not fused else "L", s.input_size],
                   "known": ["B", s.horizon, s.known_size]},
        "outputs": {"raw": ["B", s.horizon, s.num_targets, model.head.params]}}},
        "lookback_fixed": not fused, "scaler": run.scaler.to_dict(),
        "columns": run.meta["columns"], "targets": list(run.config["window"].targets),
        "calendar": run.meta["calendar"], "output": model.config.output,
        "quantiles": list(model.config.quantiles)}


def default_export_dir(run_dir: str | Path, fmt: str = "onnx") -> Path:
    return Path(run_dir) / "export" / fmt


def export_run(run_dir: str | Path, out: str | Path | None = None, fmt: str = "onnx",
               which: str = "best") -> Path:
    """Export ``run_dir``'s model; returns the metadata file written."""
    if fmt not in FORMATS:
        raise ValueError(f"expected --format in {FORMATS}, got {fmt!r}")
    run_dir = Path(run_dir)
    config = load_run_config(run_dir)  # checked before anything is written
    _require_onnx()
    out = Path(out) if out is not None else default_export_dir(run_dir, fmt)
    out.mkdir(parents=True, exist_ok=True)
    if config.kind == "lm":
        from rnnlab.tasks.lm import TOKENIZER_FILE, load_lm

        meta = export_lm(load_lm(run_dir, which), out, run_dir / TOKENIZER_FILE)
    elif config.kind == "forecast":
        from rnnlab.tasks.forecast.runs import load_run

        meta = export_forecaster(load_run(run_dir, which), out)
    else:
        raise ValueError(f"ONNX export covers language models and forecasters, got a "
                         f"{config.kind!r} run")
    import onnx

    meta.update({"kind": config.kind, "format": fmt, "opset": OPSET, "weights": which,
                 "config": config.to_dict(), "torch": torch.__version__, "onnx": onnx.__version__})
    path = out / META_FILE
    path.write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
    return path
