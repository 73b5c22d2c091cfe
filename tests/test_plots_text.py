"""Plots say what they show (issue 16): no panel for a constant learning rate, legends off
the curves, and subscripts typeset (mathtext), never printed as literal TeX."""

from __future__ import annotations

import re

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from rnnlab.diagnostics import plots
from rnnlab.training.plots import learning_curves_figure


def _records(lrs: list[float]) -> list[dict]:
    train = [{"split": "train", "step": i + 1, "loss": 3.0 / (i + 1) ** 0.3, "lr": lr,
              "grad_norm": 1.0 + (i % 3)} for i, lr in enumerate(lrs)]
    return [*train, {"split": "valid", "step": len(lrs), "loss": 1.5}]


def test_a_constant_learning_rate_gets_no_panel_of_its_own():
    fig = learning_curves_figure(_records([1e-3] * 120))
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["loss (learning rate 0.001 throughout)", "gradient norm"]
    fig = learning_curves_figure(_records([1e-3] * 60 + [2.5e-4] * 60))
    assert [ax.get_title() for ax in fig.axes] == ["loss", "learning rate", "gradient norm"]


def test_legends_do_not_cover_the_curves():
    fig = learning_curves_figure(_records([1e-3] * 120))
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is not None:
            box, area = legend.get_window_extent(renderer), ax.get_window_extent(renderer)
            assert box.y1 <= area.y0, "the legend overlaps the plotting area"


def _typeset(text: str) -> None:
    outside = re.sub(r"\$[^$]*\$", "", text)
    assert "_" not in outside and "^" not in outside, f"literal TeX in {text!r}"
    if "$" in text:  # mathtext must parse it
        from matplotlib.mathtext import MathTextParser

        MathTextParser("path").parse(text)


def _all_text(fig) -> list[str]:
    texts = [fig._suptitle.get_text()] if fig._suptitle is not None else []
    for ax in fig.axes:
        texts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        if ax.get_legend() is not None:
            texts += [t.get_text() for t in ax.get_legend().get_texts()]
    return [t for t in texts if t]


@pytest.fixture
def figures(monkeypatch):
    """The text of every figure the diagnostics plots save."""
    seen: list[str] = []
    real = plots._save

    def save(fig, path):
        seen.extend(_all_text(fig))
        return real(fig, path)

    monkeypatch.setattr(plots, "_save", save)
    return seen


def test_diagnostics_labels_are_typeset(figures, tmp_path):
    for label in (plots.FLOW, plots.FLOW_D, plots.FLOW_AT_SYMBOL, plots.JACOBIAN,
                  plots.JACOBIAN_D, plots.BOUND, plots.NORM):
        _typeset(label)
    curve = 0.5 ** np.arange(12)
    plots.plot_gradient_vs_distance({"elman-tanh": curve, "lstm": curve}, tmp_path / "a.png",
                                    "flow", bounds={"elman-tanh": curve})
    plots.plot_norm_history({"run": (list(range(12)), curve, [3])}, tmp_path / "b.png", "norms",
                            clip=0.25)
    from rnnlab.demo.gradients import section  # the demo's gradients section

    section(tmp_path / "demo", quick=True)
    assert len(figures) > 8
    for text in figures:
        _typeset(text)
