"""What the user sees: a tqdm bar on a terminal, log lines otherwise, nothing when quiet."""

from __future__ import annotations

import io
import logging
import sys

from toy import LinearTask

from rnnlab.training import TrainConfig, Trainer
from rnnlab.training.progress import Progress


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_on_a_terminal(monkeypatch):
    term = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", term)
    bar = Progress(enabled=True, total=3, log_every=1)
    for step in (1, 2, 3):
        bar.update(step, {"loss": 0.5, "perplexity": 1.65, "items/s": 1000.0})
    bar.close()
    text = term.getvalue()
    assert "3/3" in text and "loss=0.5" in text and "perplexity=1.65" in text


def test_log_lines_when_not_a_terminal_and_quiet(tmp_path, caplog, monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with caplog.at_level(logging.INFO, logger="rnnlab.training"):
        config = TrainConfig(epochs=2, lr=0.1, log_every=2)
        Trainer(LinearTask(n_batches=2, valid_losses=[1.0, 0.5]), config, tmp_path / "a").fit()
    lines = [r.getMessage() for r in caplog.records if r.name == "rnnlab.training"]
    assert any(line.startswith("step 2/4 loss=") and "twice=" in line for line in lines)
    assert any(line.startswith("valid step 4: loss=0.5") for line in lines)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="rnnlab.training"):
        config = TrainConfig(epochs=2, lr=0.1, log_every=2, progress=False)
        Trainer(LinearTask(n_batches=2, valid_losses=[1.0, 0.5]), config, tmp_path / "b").fit()
    assert not [r for r in caplog.records if r.name == "rnnlab.training"]
