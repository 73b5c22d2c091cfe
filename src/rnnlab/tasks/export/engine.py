"""onnxruntime engines for exported runs: ``--engine onnxruntime`` of ``lm generate`` and
``forecast predict``. They present the interfaces the PyTorch code already uses (a
language model's ``stream()``, a forecaster's ``predict``), so the sampling and the
forecast tables are the same code for both engines.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from rnnlab.models.forecast_heads import make_head
from rnnlab.tasks.export.run import META_FILE, default_export_dir, export_run

ENGINES = ("torch", "onnxruntime")
log = logging.getLogger("rnnlab.export")


def ort_session(path: str | Path) -> Any:
    """An onnxruntime CPU session using torch's thread count (small recurrent graphs: 1)."""
    try:
        import onnxruntime as ort
    except ImportError:
        raise ValueError("--engine onnxruntime needs onnxruntime: pip install 'rnnlab[onnx]'"
                         ) from None
    options = ort.SessionOptions()
    options.intra_op_num_threads = torch.get_num_threads()
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def exported(run_dir: str | Path, graph: str) -> tuple[Path, dict[str, Any]]:
    """The run's export folder and metadata, exporting first when ``graph`` is not there yet."""
    out = default_export_dir(run_dir)
    meta_path = out / META_FILE
    if not meta_path.is_file():
        log.info("exporting %s to %s (first use of the onnxruntime engine)", run_dir, out)
        export_run(run_dir, out)
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if graph not in meta["graphs"]:
        raise ValueError(f"{out} has no {graph!r} graph (it has {sorted(meta['graphs'])})")
    return out, meta


class OrtLMStream:
    """:class:`rnnlab.models.streaming.LMStream`'s interface on ``step.onnx``."""

    def __init__(self, session: Any, meta: dict[str, Any], batch_size: int = 1) -> None:
        self.session, self.batch_size = session, batch_size
        self.inputs = meta["graphs"]["step"]["inputs"]
        self.names = list(meta["state"])
        self.outputs = ["logits", *(n + "_out" for n in self.names)]
        self.reset()

    def reset(self, streams: Any = None) -> None:
        if streams is None:
            self.state = {n: np.zeros((self.batch_size, self.inputs[n][1]), np.float32)
                          for n in self.names}
            return
        rows = np.atleast_1d(np.asarray(streams, dtype=np.int64))
        for value in self.state.values():
            value[rows] = 0.0

    def __call__(self, tokens: Any, logits: bool = False) -> Tensor:
        tokens = np.asarray(tokens, dtype=np.int64)
        steps = tokens.reshape(-1, self.batch_size)  # (T, B): the step graph, T times
        for row in steps:
            out = self.session.run(self.outputs, {"token": row, **self.state})
            self.state = dict(zip(self.names, out[1:], strict=True))
        z = torch.from_numpy(out[0])  # (B, V)
        return z if logits else z.softmax(-1)


class OrtLM:
    """What :func:`rnnlab.generation.generate` needs of a language model: ``stream()``."""

    def __init__(self, run_dir: str | Path) -> None:
        out, self.meta = exported(run_dir, "step")
        self.session = ort_session(out / self.meta["graphs"]["step"]["file"])

    def stream(self, batch_size: int = 1) -> OrtLMStream:
        return OrtLMStream(self.session, self.meta, batch_size)


class OrtForecaster:
    """A forecaster's ``predict`` on ``forecaster.onnx``; the run's output head (rebuilt from
    export.json) turns the raw outputs into point forecasts and intervals, as in PyTorch."""

    training = False

    def __init__(self, run_dir: str | Path) -> None:
        out, meta = exported(run_dir, "forecaster")
        self.session = ort_session(out / meta["graphs"]["forecaster"]["file"])
        # a direct model reads no calendar ahead: the exporter drops the unused ``known``
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.head = make_head(meta["output"], tuple(meta["quantiles"]))

    def parameters(self) -> Any:  # ForecastTask reads the device from here: the CPU
        return iter([torch.empty(0)])

    def eval(self) -> OrtForecaster:
        return self

    def train(self, mode: bool = True) -> OrtForecaster:
        return self

    def predict(self, x: Tensor, known: Tensor, level: float | None = None) -> Any:
        feed = {"x": x, "known": known}
        raw = self.session.run(["raw"], {name: feed[name].cpu().numpy().astype(np.float32)
                                         for name in self.inputs})[0]
        raw = torch.from_numpy(raw)  # (B, H, K, P)
        point = self.head.point(raw)
        if level is None:
            return point
        lo, hi = self.head.interval(raw, level)
        return point, lo, hi
