"""``rnnlab demo``: a short end-to-end tour on data shipped inside the package.

The tour is a list of sections, one file each; a section is a function
``section(run_dir: Path, quick: bool) -> None`` that prints what it shows and
writes its files under ``run_dir/<name>``. The whole tour runs in a few minutes
on 2 CPU cores; ``quick`` makes every section smaller still (the tests use it).
Running the tour again replaces the previous tour's files, and says so.
"""

from __future__ import annotations

import importlib
import shutil
import time
from pathlib import Path

# (name, module with section()), in the order the tour shows them
SECTIONS: list[tuple[str, str]] = [
    ("layers", "rnnlab.demo.layers"),
    ("language-model", "rnnlab.demo.language_model"),
    ("gradients", "rnnlab.demo.gradients"),
    ("forecast", "rnnlab.demo.forecast"),
    ("classify", "rnnlab.demo.classify"),
    ("generate", "rnnlab.demo.generate"),
]


def section_names() -> list[str]:
    return [name for name, _ in SECTIONS]


def run_demo(run_dir: str | Path = "runs/demo", quick: bool = False,
             only: list[str] | None = None) -> float:
    """Run the tour (or the sections named in ``only``); returns the seconds it took."""
    import torch

    run_dir = Path(run_dir)
    sections = SECTIONS
    if only:
        unknown = sorted(set(only) - set(section_names()))
        if unknown:
            raise ValueError(f"unknown demo section(s) {unknown}; known: {section_names()}")
        sections = [s for s in SECTIONS if s[0] in only]
    if run_dir.exists() and not run_dir.is_dir():
        raise ValueError(f"expected a folder for the demo's files, got the file {run_dir}")
    previous = [run_dir / name for name, _ in sections if (run_dir / name).exists()]
    if previous:
        print(f"(replacing the previous tour's files in {run_dir}/: "
              f"{', '.join(p.name for p in previous)})")
        for path in previous:
            shutil.rmtree(path)
    run_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    start = time.perf_counter()
    for name, module in sections:
        print(f"\n=== {name} ===", flush=True)
        t0 = time.perf_counter()
        importlib.import_module(module).section(run_dir / name, quick)
        print(f"({name}: {time.perf_counter() - t0:.1f} s)", flush=True)
    seconds = time.perf_counter() - start
    print(f"\nDemo finished in {seconds:.1f} s; files in {run_dir}/")
    return seconds
