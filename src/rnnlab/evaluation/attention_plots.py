"""Attention heatmaps: which source words each target word read (source × target, PNG).

Rows are the generated target tokens, columns the source tokens; cell (t, s)
is α_{t,s}, the weight step t gave source position s (each row sums to 1).
A good alignment of two languages with similar word order shows a rough
diagonal; "chat noir" / "black cat" shows a crossing. matplotlib's Agg
backend, no display.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from rnnlab.evaluation.figures import save_figure


def plot_attention(
    path: str | Path,
    weights: np.ndarray,  # (T, S): α of each target step over the source
    source_tokens: Sequence[str],
    target_tokens: Sequence[str],
    title: str = "",
) -> Path:
    """Write one heatmap; returns its path."""
    weights = np.asarray(weights, dtype=float)
    if weights.shape != (len(target_tokens), len(source_tokens)):
        raise ValueError(f"expected weights of shape ({len(target_tokens)}, "
                         f"{len(source_tokens)}) (target × source tokens), got {weights.shape}")
    width = max(4.0, 0.45 * len(source_tokens) + 2)
    height = max(3.0, 0.4 * len(target_tokens) + 1.5)
    fig, ax = plt.subplots(figsize=(width, height))
    image = ax.imshow(weights, cmap="viridis", vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(range(len(source_tokens)), list(source_tokens), rotation=60, ha="right")
    ax.set_yticks(range(len(target_tokens)), list(target_tokens))
    ax.set_xlabel("source")
    ax.set_ylabel("output")
    if title:
        ax.set_title(title, fontsize=9)
    fig.colorbar(image, ax=ax, fraction=0.04, label="attention weight")
    return save_figure(fig, path)
