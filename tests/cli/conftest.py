"""Shared by the CLI tests: a tiny hourly CSV and the arguments of a quick ``rnnlab forecast
train`` on it, two trained forecast runs (``members``), a tiny trained word LM (``lm_run``)."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest


def write_series_csv(path):
    """A tiny hourly CSV: temp (daily sine + noise) and hum, 400 rows, the same every time."""
    n = 400
    t = np.arange(n)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "time": pd.date_range("2024-01-01", periods=n, freq="h"),
            "temp": 20 + 5 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 0.3, n),
            "hum": 60 + 10 * np.cos(2 * np.pi * t / 24),
        }
    )
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def series_csv(tmp_path):
    return write_series_csv(tmp_path / "series.csv")


def _train_args(data, run_dir, *extra):
    return [
        "forecast",
        "train",
        "--data",
        str(data),
        "--target",
        "temp",
        "--inputs",
        "hum",
        "--lookback",
        "24",
        "--horizon",
        "6",
        "--hidden-size",
        "8",
        "--epochs",
        "1",
        "--run-dir",
        str(run_dir),
        "--quiet",
        "--set",
        "forecast.train_stride=4",
        *extra,
    ]


@pytest.fixture
def forecast_train_args():
    """``forecast_train_args(data, run_dir, *extra)``: argv of a one-epoch run on ``data``."""
    return _train_args


@pytest.fixture(scope="session")
def lm_run(tmp_path_factory, pt_sentence):
    """A one-epoch word LM on a tiny corpus, and an agreement set for it: (root, run).
    Shared by the session: tests only read it (or copy it)."""
    from rnnlab.cli.main import main

    root = tmp_path_factory.mktemp("ro-lm")
    rng = random.Random(0)
    corpus = root / "corpus"
    corpus.mkdir()
    for split, n in (("train", 200), ("valid", 20)):
        lines = [pt_sentence(rng) for _ in range(n)]
        (corpus / f"{split}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "agr.text").write_text("os gatos andam . <eos>\n", encoding="utf-8")
    (root / "agr.gold").write_text("2\tandam\tanda\t0\n", encoding="utf-8")
    run = root / "run"
    assert main(["lm", "train", "--run-dir", str(run), "--corpus", str(corpus), "--quiet",
                 "--hidden-size", "8", "--num-layers", "1", "--epochs", "1",
                 "--set", "model.embedding_size=8", "--set", "data.batch_size=2",
                 "--set", "data.bptt=6"]) == 0
    return root, run


ENSEMBLE_MEMBERS = {
    "gru-0": ("--cell", "gru"),
    "lstm-1": ("--cell", "lstm", "--set", "train.seed=1"),
}


@pytest.fixture(scope="module")
def trained_members(tmp_path_factory):
    """Two forecast runs (a GRU and an LSTM) trained once per test module."""
    from rnnlab.cli.main import main

    root = tmp_path_factory.mktemp("members")
    csv = write_series_csv(root / "series.csv")
    for name, extra in ENSEMBLE_MEMBERS.items():
        assert main(_train_args(csv, root / "runs" / name, *extra)) == 0
    return root / "runs"


@pytest.fixture
def members(trained_members, tmp_path):
    """This test's own copy of the trained runs, under tmp_path/runs (tests may break them)."""
    import shutil

    shutil.copytree(trained_members, tmp_path / "runs")
    return [tmp_path / "runs" / name for name in ENSEMBLE_MEMBERS]
