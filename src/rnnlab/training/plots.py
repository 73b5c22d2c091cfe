"""Learning curves of a run as ``plots/learning_curves.png`` (matplotlib, Agg backend)."""

from __future__ import annotations

import math
from pathlib import Path

from rnnlab.training.metrics import read_metrics


def plot_learning_curves(run_dir: str | Path) -> Path | None:
    """Plot train loss (per step, and smoothed), valid loss, lr and grad norm from
    ``metrics.jsonl``; returns the PNG path, or None if there is nothing to plot."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    run_dir = Path(run_dir)
    records = read_metrics(run_dir / "metrics.jsonl")
    train = [r for r in records if r.get("split") == "train" and r.get("loss") is not None]
    if not train:
        return None
    valid = [r for r in records if r.get("split") == "valid" and r.get("loss") is not None]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
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
    ax.set(xlabel="step", ylabel="loss", title="loss")
    ax.legend(fontsize=8)
    axes[1].plot(steps, [r.get("lr", math.nan) for r in train], color="C2")
    axes[1].set(xlabel="step", ylabel="learning rate", title="learning rate")
    norms = [r.get("grad_norm") for r in train]
    axes[2].plot(steps, [math.nan if n is None else n for n in norms], color="C3", lw=0.8)
    axes[2].set(xlabel="step", ylabel="‖g‖ before clipping", title="gradient norm", yscale="log")
    fig.tight_layout()
    out = run_dir / "plots" / "learning_curves.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(".learning_curves.tmp.png")
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    tmp.replace(out)
    return out
