"""How many torch threads should ``rnnlab`` use by default? Measured, not guessed.

Runs two real workloads as subprocesses, with ``rnnlab --threads 1`` and
``--threads 2``, first on the machine as it is, then with ``--burn K`` processes
spinning on the CPU (a busy machine, as a shared one often is), and prints wall
time, CPU time (user + system of the child) and the ratio 2 threads / 1 thread:

* ``rnnlab forecast train --data shipped:inmet-a001-2024 --target temp --epochs 2``
* ``rnnlab demo --only language-model`` (the tour's language-model section)

::

    python benchmarks/threads.py --burn 2 --limit 300 > threads.log

Each run is cut at ``--limit`` seconds (reported as "> limit"). The figures
are in docs/benchmarks.md ("Threads"); the default is ``DEFAULT_THREADS`` in
``rnnlab/cli/main.py``.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORKLOADS = {
    "forecast train --epochs 2": ["forecast", "train", "--data", "shipped:inmet-a001-2024",
                                  "--target", "temp", "--epochs", "2", "--quiet"],
    "demo --only language-model": ["demo", "--only", "language-model"],
}


def burn() -> None:  # pragma: no cover - a CPU hog for the "busy" condition
    while True:
        pass


def run_once(args: list[str], threads: int, where: Path, limit: float) -> tuple[float, float, int]:
    """(wall s, child CPU s, exit status) of one ``rnnlab --threads N ARGS`` run in ``where``."""
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    extra = ["--run-dir", str(where / "run")] if args[0] == "forecast" else ["--run-dir",
                                                                            str(where / "demo")]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", "rnnlab", "--threads", str(threads), *args,
                               *extra], cwd=where, capture_output=True, text=True, timeout=limit)
        status = done.returncode
    except subprocess.TimeoutExpired:
        status = -1
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--burn", type=int, default=2, help="CPU hogs for the busy condition")
    parser.add_argument("--limit", type=float, default=300.0, help="seconds per run at most")
    parser.add_argument("--only", choices=("quiet", "busy"), default=None)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the hogs are stopped too
    root = Path(tempfile.mkdtemp(prefix="rnnlab-threads-"))
    print(f"cpus {os.cpu_count()}, python {sys.version.split()[0]}, "
          f"{time.strftime('%Y-%m-%d %H:%M')}", flush=True)
    print("| machine | workload | threads | wall s | CPU s | exit |", flush=True)
    print("|---|---|---:|---:|---:|---:|", flush=True)
    conditions = [c for c in ("quiet", "busy") if args.only in (None, c)]
    for condition in conditions:
        hogs = []
        if condition == "busy":
            import multiprocessing

            hogs = [multiprocessing.Process(target=burn, daemon=True) for _ in range(args.burn)]
            for hog in hogs:
                hog.start()
        try:
            for name, workload in WORKLOADS.items():
                for threads in (1, 2):
                    load = os.getloadavg()[0]
                    wall, cpu, status = run_once(workload, threads, root / "w", args.limit)
                    shown = f"> {args.limit:.0f}" if status == -1 else f"{wall:.1f}"
                    label = condition if condition == "quiet" else f"busy (+{args.burn} hogs)"
                    print(f"| {label}, load {load:.1f} | {name} | {threads} | {shown} | "
                          f"{cpu:.1f} | {status} |", flush=True)
        finally:
            for hog in hogs:
                hog.terminate()
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
