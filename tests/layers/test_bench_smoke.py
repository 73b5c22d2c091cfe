"""The layer benchmark still runs (tiny shapes, one repeat); it times nothing here."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_layers.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_layers", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_layers_runs_on_tiny_shapes(capsys):
    bench = load_bench()
    args = [
        "--shapes",
        "3,2,4",
        "--repeats",
        "1",
        "--warmup",
        "0",
        "--markdown",
        "--device",
        "cuda",
    ]
    assert bench.main(args) == 0
    out = capsys.readouterr()
    rows = [line for line in out.out.splitlines() if line.startswith("| ")]
    assert len(rows) == 2 + 3 * 2 * 4  # header, rule, cells × modes × impls
    assert ("no CUDA device" in out.err) == (not torch.cuda.is_available())


def test_bench_layers_times_the_layernorm_cells_without_a_fused_row(capsys):
    args = ["--cells", "ln-lstm", "--shapes", "3,2,4", "--repeats", "1", "--warmup", "0",
            "--modes", "forward+backward", "--markdown"]
    assert load_bench().main(args) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ln")]
    assert [row.split("|")[4].strip() for row in rows] == ["explicit", "sequence", "torch"]


def test_bench_layers_rejects_unknown_cells():
    with pytest.raises(SystemExit, match="unknown cells"):
        load_bench().main(["--cells", "lstm,transformer"])
