"""PNG pictures of gradient flow, gate activations and training norms (matplotlib, Agg)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display needed
import matplotlib.pyplot as plt
import numpy as np

from rnnlab.evaluation.figures import save_figure

# labels in matplotlib's mathtext ($…$ is typeset; outside it "_" and "^" would print as they are)
FLOW = r"$\Vert\partial J_T/\partial s_t\Vert$"  # gradient reaching s_t from the loss at T
FLOW_D = r"$\Vert\partial J_T/\partial s_{T-d}\Vert$"
FLOW_AT_SYMBOL = (r"$\Vert\partial J_T/\partial s_{\mathrm{sym}}\Vert\,/\,"
                  r"\Vert\partial J_T/\partial s_T\Vert$")
JACOBIAN = r"$\Vert\prod_i\,\partial s_i/\partial s_{i-1}\Vert_2$"
JACOBIAN_D = r"$\Vert\partial s_T/\partial s_{T-d}\Vert_2$"
BOUND = r"bound $(\gamma\sigma_{\max})^d$"
NORM = r"$\Vert g\Vert$ before clipping"

COLORS = {"elman-tanh": "tab:blue", "elman-sigmoid": "tab:orange", "elman-relu": "tab:brown",
          "lstm": "tab:green", "gru": "tab:red"}
TINY = 1e-300  # log axes cannot show 0


def plot_gradient_vs_distance(
    curves: dict[str, np.ndarray | tuple[Sequence[float], Sequence[float]]],
    path: str | Path,
    title: str,
    ylabel: str = FLOW_D,
    bounds: dict[str, np.ndarray] | None = None,
    xlabel: str = "distance d = T − t (steps back from the loss)",
) -> Path:
    """One line per label: value (log scale) against distance; dashed bound lines.

    A curve is an array indexed by d = 0 … T, or a pair (distances, values);
    labels ending in "(init)" are drawn dotted.
    """
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for label, curve in curves.items():
        d, values = curve if isinstance(curve, tuple) else (np.arange(len(curve)), curve)
        style = ":o" if label.endswith("(init)") else "-"
        if isinstance(curve, tuple) and style == "-":
            style = "-o"
        ax.semilogy(d, np.maximum(np.asarray(values, dtype=float), TINY), style, ms=3,
                    label=label, color=_color(label))
    for label, bound in (bounds or {}).items():
        d = np.arange(len(bound))
        ax.semilogy(d, np.maximum(bound, TINY), "--", lw=1, color=_color(label),
                    label=f"{label}: {BOUND}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    _clip_ylim(ax, curves)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, path)


def plot_accuracy_vs_distance(
    results: dict[str, dict[int, Sequence[float]]], chance: float, path: str | Path, title: str
) -> Path:
    """Mean accuracy (markers: each seed) against the distance, one line per cell."""
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    all_d: set[int] = set()
    for n, (label, by_distance) in enumerate(results.items()):
        ds = sorted(by_distance)
        all_d.update(ds)
        style = ["-o", "--s", "-.^", ":D", "-v"][n % 5]  # lines that coincide stay visible
        ax.plot(ds, [np.mean(by_distance[d]) for d in ds], style, label=label,
                color=_color(label), ms=7 - n, alpha=0.85)
        for d in ds:
            ax.scatter([d] * len(by_distance[d]), by_distance[d], s=10, alpha=0.5,
                       color=_color(label))
    ax.axhline(chance, color="gray", ls=":", label=f"chance ({chance:.3f})")
    ax.set_xscale("log")
    ax.set_xticks(sorted(all_d), [str(d) for d in sorted(all_d)])
    ax.minorticks_off()
    ax.set_xlabel("distance between the symbol and the recall query (steps)")
    ax.set_ylabel("test accuracy")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, path)


def plot_heatmaps(panels: dict[str, np.ndarray], path: str | Path, title: str) -> Path:
    """One heatmap per panel, each (T, H) for one sequence: units on y, time on x."""
    n = len(panels)
    fig, axes = plt.subplots(n, 1, figsize=(8, 1.6 * n + 0.6), squeeze=False, sharex=True)
    for ax, (name, values) in zip(axes[:, 0], panels.items(), strict=True):
        lo = -1.0 if values.min() < 0 else 0.0
        im = ax.imshow(values.T, aspect="auto", cmap="coolwarm" if lo < 0 else "viridis",
                       vmin=lo, vmax=1.0, interpolation="nearest")
        ax.set_ylabel(name)
        fig.colorbar(im, ax=ax, fraction=0.02, pad=0.01)
    axes[-1, 0].set_xlabel("time step t")
    fig.suptitle(title)
    return _save(fig, path)


def plot_norm_history(
    series: dict[str, tuple[Sequence[int], Sequence[float], Sequence[int]]],
    path: str | Path,
    title: str,
    clip: float | None = None,
) -> Path:
    """Pre-clip global gradient norm per step (log y), one line per label; events marked."""
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    marked = False
    for label, (steps, norms, events) in series.items():
        norms = np.asarray(norms, dtype=float)
        ax.semilogy(steps, np.maximum(norms, TINY), lw=1, label=label, color=_color(label))
        if len(events):
            ax.scatter(np.asarray(steps)[list(events)], np.maximum(norms[list(events)], TINY),
                       color="red", s=12, zorder=3,
                       label=None if marked else "exploding event")
            marked = True
    if clip:
        ax.axhline(clip, color="gray", ls="--", label=f"clip threshold {clip:g}")
    ax.set_xlabel("step")
    ax.set_ylabel(NORM)
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, path)


def _color(label: str) -> str | None:
    return next((c for key, c in COLORS.items() if label.startswith(key)), None)


def _clip_ylim(ax, curves: dict[str, np.ndarray]) -> None:
    values = np.concatenate([np.asarray(v[1] if isinstance(v, tuple) else v, dtype=float).ravel()
                             for v in curves.values()])
    positive = values[values > 0]
    if positive.size:
        ax.set_ylim(max(positive.min() / 10, 1e-40), positive.max() * 10)


def _save(fig, path: str | Path) -> Path:
    return save_figure(fig, path)
