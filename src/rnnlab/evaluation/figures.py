"""Writing a matplotlib figure: one place for the folder, the resolution and closing it."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def save_figure(fig: Any, path: str | Path, *, dpi: int = 110, tight: bool = False) -> Path:
    """Lay out and write ``fig`` to ``path`` (parent folders made), close it, return the path.

    ``tight``: crop to what is drawn, legends placed outside the axes included
    (``bbox_inches="tight"``); else ``fig.tight_layout()`` fits the panels.
    """
    import matplotlib.pyplot as plt

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if tight:
        fig.savefig(path, dpi=dpi, bbox_inches="tight")
    else:
        fig.tight_layout()
        fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path
