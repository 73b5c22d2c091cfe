"""What the user sees: a tqdm bar on a terminal or in a notebook, log lines otherwise (even
from a script that set up no logging), nothing when quiet."""

from __future__ import annotations

import io
import logging
import os
import re
import subprocess
import sys

import pytest
from toy import LinearTask

from rnnlab.training import TrainConfig, Trainer
from rnnlab.training.progress import Progress, interactive


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


SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
from toy import LinearTask
from rnnlab.training import TrainConfig, Trainer
config = TrainConfig(epochs=2, lr=0.1, log_every=2)
Trainer(LinearTask(n_batches=2, valid_losses=[1.0, 0.5]), config, {run!r}).fit()
"""


@pytest.mark.slow  # a subprocess that imports torch
def test_a_plain_script_without_a_tty_prints_step_and_epoch_lines(tmp_path):
    """No terminal, no logging set up by the script: progress still shows, as lines."""
    from pathlib import Path

    script = SCRIPT.format(tests=str(Path(__file__).parent), run=str(tmp_path / "run"))
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "OMP_NUM_THREADS": "1"}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert any(line.startswith("step 2/4 loss=") for line in lines), proc.stderr
    assert any(line.startswith("epoch 1/2 done: step 2, mean train loss") for line in lines)
    assert any(line.startswith("epoch 2/2 done: step 4") for line in lines)
    assert any(line.startswith("valid step 4: loss=0.5") for line in lines)
    assert "\r" not in proc.stderr  # no bar


def test_log_lines_go_above_the_bar_not_through_it(monkeypatch):
    term = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", term)
    handler = logging.StreamHandler(term)  # the user's console logging
    logging.root.addHandler(handler)
    try:
        bar = Progress(enabled=True, total=3, log_every=1)
        bar.update(1, {"loss": 0.5})
        logging.getLogger("rnnlab.training").warning("a warning")
        bar.close()
        assert handler in logging.root.handlers  # the user's handler is back after the run
    finally:
        logging.root.removeHandler(handler)
    pieces = re.split(r"[\r\n]", term.getvalue())
    assert "a warning" in pieces  # on its own line (tqdm.write), not glued to the bar


def test_a_jupyter_kernel_counts_as_interactive(monkeypatch):
    class Shell:
        kernel = object()

    class IPython:
        @staticmethod
        def get_ipython():
            return Shell()

    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert not interactive()
    monkeypatch.setitem(sys.modules, "IPython", IPython)
    assert interactive()  # tqdm.auto then draws its notebook widget
