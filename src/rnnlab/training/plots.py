"""Learning curves of a run as ``plots/learning_curves.png`` (matplotlib, Agg backend).

Panels: the loss (train per step, its running mean, valid), the learning rate
when it changed during the run (a constant rate is said in the loss panel's
title instead of drawn as a flat line), and the pre-clip gradient norm. Legends
sit below their panel, never on the curves. The x axis counts optimizer steps.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from rnnlab.training.metrics import read_metrics


def learning_curves_figure(records: list[dict[str, Any]]) -> Any:
    """The matplotlib Figure of ``metrics.jsonl`` records, or None without train records."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    train = [r for r in records if r.get("split") == "train" and r.get("loss") is not None]
    if not train:
        return None
    valid = [r for r in records if r.get("split") == "valid" and r.get("loss") is not None]
    rates = [r.get("lr") for r in train]
    changing = len({lr for lr in rates if lr is not None}) > 1
    panels = 3 if changing else 2
    fig, axes = plt.subplots(1, panels, figsize=(4.4 * panels, 3.9))
    steps = [r["step"] for r in train]
    losses = [r["loss"] for r in train]
    ax = axes[0]
    ax.plot(steps, losses, color="0.75", lw=0.8, label="train (step)")
    window = max(1, len(losses) // 50)
    if window > 1:
        chunks = [losses[max(0, i - window + 1): i + 1] for i in range(len(losses))]
        smooth = [sum(c) / len(c) for c in chunks]
        ax.plot(steps, smooth, color="C0", lw=1.2, label=f"train (mean of {window})")
    if valid:
        ax.plot([r["step"] for r in valid], [r["loss"] for r in valid], "o-", color="C1",
                label="valid")
    constant = "" if changing or rates[0] is None else f" (learning rate {rates[0]:g} throughout)"
    ax.set(xlabel="step", ylabel="loss", title=f"loss{constant}")
    _legend_below(ax)
    if changing:
        axes[1].plot(steps, [math.nan if lr is None else lr for lr in rates], color="C2")
        axes[1].set(xlabel="step", ylabel="learning rate", title="learning rate")
    norms = [r.get("grad_norm") for r in train]
    axes[-1].plot(steps, [math.nan if n is None else n for n in norms], color="C3", lw=0.8)
    axes[-1].set(xlabel="step", ylabel=r"$\Vert g\Vert$ before clipping", title="gradient norm",
                 yscale="log")
    fig.tight_layout()
    return fig


def _legend_below(ax: Any) -> None:
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3,
              frameon=False)


def plot_learning_curves(run_dir: str | Path) -> Path | None:
    """Plot train loss (per step, and smoothed), valid loss, lr (when it changes) and grad
    norm from ``metrics.jsonl``; returns the PNG path, or None if there is nothing to plot."""
    run_dir = Path(run_dir)
    fig = learning_curves_figure(read_metrics(run_dir / "metrics.jsonl"))
    if fig is None:
        return None
    import matplotlib.pyplot as plt

    out = run_dir / "plots" / "learning_curves.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(".learning_curves.tmp.png")
    fig.savefig(tmp, dpi=100, bbox_inches="tight")  # "tight": the legends below are kept
    plt.close(fig)
    tmp.replace(out)
    return out
