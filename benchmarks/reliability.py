"""Fault injection and malformed input against the ``rnnlab`` command line (issue 16).

Three harnesses, each running the real CLI in subprocesses:

* ``inputs``: the corpus of ``reliability_inputs`` (malformed CSV, INMET, TOML,
  flags, classify/tag/translate data (``reliability_text``) and Python API calls,
  with legitimate controls in every family). Each outcome is *clear* (a bad
  input refused with exit 2/3 and a message naming what and where), *ok* (a
  good input worked, finite output), a *traceback*, a *silent* garbage (exit 0
  on bad input, or NaN/empty output), or *misleading* (a refusal whose message
  misses what is wrong, or a good input refused);
* ``kill``: ``rnnlab train``, ``lm train`` and ``forecast train`` stopped at a
  random moment (SIGKILL mostly, SIGTERM/SIGINT too), then ``--resume``-d (or
  started again if the run did not exist yet) until done; the weights, the
  metrics log (less wall-clock fields) and the report must equal an
  uninterrupted run's;
* ``corrupt``: one file of a finished run damaged (truncated, emptied, a byte
  flipped, deleted, replaced, NaN weights under a valid checksum), then a read
  command and ``--resume``; and the whole run directory read-only (a read-only
  bind mount where ``unshare -m`` works, else skipped and said so).

::

    python benchmarks/reliability.py                       # all three (about 30 min, 1 core)
    python benchmarks/reliability.py --only inputs kill --kills 10 --seed 1

Prints one table per harness and every case that is not clear/ok. Results and
the command are recorded in docs/benchmarks.md ("Reliability").
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reliability_faults import corrupt_cases, kill_trials
from reliability_inputs import Case, write_inputs

USER_ERRORS = {"ValueError", "TypeError", "FileNotFoundError", "ConfigError", "CheckpointError",
               "NotADirectoryError", "IsADirectoryError", "PermissionError", "NonFiniteLossError"}
NAN = re.compile(r"(?<![A-Za-z])nan(?![A-Za-z])", re.IGNORECASE)


def rnnlab(argv, *, cwd: Path, timeout: float = 600, read_only: Path | None = None,
           popen: bool = False):
    """Run ``rnnlab ARGV`` (one torch thread) -> (exit status, stdout, stderr)."""
    threads = [] if argv and argv[0] == "--threads" else ["--threads", "1"]
    command = [sys.executable, "-m", "rnnlab", *threads, *argv]
    if read_only is not None:
        command = ["unshare", "-m", "sh", "-c", 'mount --bind "$0" "$0" && mount -o '
                   'remount,bind,ro "$0" && exec "$@"', str(read_only), *command]
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONUNBUFFERED": "1"}
    if popen:
        return subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    return done.returncode, done.stdout, done.stderr


def python_api(code: str, cwd: Path) -> tuple[int, str, str]:
    wrapped = ("import sys\ntry:\n" + "".join(f"    {line}\n" for line in code.split("\n"))
               + "except Exception as err:\n    print(f'RAISED {type(err).__name__}: {err}', "
               "file=sys.stderr)\n    sys.exit(2)\n")
    done = subprocess.run([sys.executable, "-c", wrapped], cwd=cwd, capture_output=True,
                          text=True, timeout=600, env={**os.environ, "MPLBACKEND": "Agg"})
    return done.returncode, done.stdout, done.stderr


def classify(expect: str, pattern: str, code: int, out: str, err: str) -> str:
    if "Traceback (most recent call last)" in err:
        return "traceback"
    raised = re.search(r"RAISED (\w+):", err)
    if raised and raised.group(1) not in USER_ERRORS:
        return "traceback"  # an API call that fails with an internal error type
    if expect == "ok":
        if code != 0:
            return "misleading"  # a good input refused
        return "silent" if not out.strip() or NAN.search(out) else "ok"
    if code == 0:
        return "silent"
    if code in (2, 3) and re.search(pattern, err, re.DOTALL):
        return "clear"
    return "misleading"


def setup(root: Path) -> dict[str, str]:
    """A corpus, a trained LM run and a trained forecast run for the cases to use."""
    corpus = root / "corpus"
    corpus.mkdir(parents=True)
    words = ["o gato anda .", "os gatos andam .", "o carro pára .", "os carros param ."]
    for split, n in (("train", 300), ("valid", 40), ("test", 40)):
        text = "\n".join(words[(7 * i) % 4] for i in range(n)) + "\n"
        (corpus / f"{split}.txt").write_text(text, encoding="utf-8")
    (root / "empty.txt").write_text("", encoding="utf-8")
    cases = write_inputs(root)  # the control CSV is what the forecast run trains on
    lm, fc = root / "lm-run", root / "fc-run"
    for argv in (["lm", "train", "--corpus", str(corpus), "--run-dir", str(lm), "--quiet",
                  "--hidden-size", "8", "--epochs", "1", "--set", "model.embedding_size=8",
                  "--set", "data.batch_size=4", "--set", "data.bptt=8"],
                 ["forecast", "train", "--data", str(root / "csv" / "control.csv"), "--target",
                  "temp", "--lookback", "12", "--horizon", "3", "--hidden-size", "4",
                  "--epochs", "1", "--quiet", "--run-dir", str(fc)]):
        code, _, err = rnnlab(argv, cwd=root)
        if code != 0:
            raise SystemExit(f"setup failed: rnnlab {' '.join(argv)}\n{err}")
    return {"cases": cases, "root": str(root), "lm": str(lm), "fc": str(fc)}


def run_inputs(fixtures: dict, root: Path) -> list[tuple[str, str, str, str]]:
    rows = []
    for case in fixtures["cases"]:
        case: Case
        fill = {"root": str(root), "lm": fixtures["lm"], "fc": fixtures["fc"]}
        if case.family == "api":
            code, out, err = python_api(_fill(case.argv[1], fill), root)
        else:
            code, out, err = rnnlab([_fill(a, fill) for a in case.argv], cwd=root)
        verdict = classify(case.expect, case.pattern, code, out, err)
        message = (err.strip().splitlines() or [""])[-1][:160]
        rows.append((case.family, case.name, verdict, f"exit {code}: {message}"))
        print(f"  [{len(rows)}/{len(fixtures['cases'])}] {case.family} / {case.name}: {verdict}",
              file=sys.stderr, flush=True)
    return rows


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def read_only_available(root: Path) -> bool:
    probe = root / "ro-probe"
    probe.mkdir(exist_ok=True)
    done = subprocess.run(["unshare", "-m", "sh", "-c", 'mount --bind "$0" "$0" && mount -o '
                           'remount,bind,ro "$0" && touch "$0/x"', str(probe)],
                          capture_output=True, text=True)
    return done.returncode != 0 and "Read-only" in done.stderr


def summarise(title: str, rows: list[tuple[str, str, str, str]], good: tuple[str, ...]) -> None:
    print(f"\n## {title}\n")
    families = sorted({r[0] for r in rows})
    verdicts = sorted({r[2] for r in rows})
    print("| family | cases | " + " | ".join(verdicts) + " |")
    print("|---|---:|" + "---:|" * len(verdicts))
    for family in families:
        counts = Counter(r[2] for r in rows if r[0] == family)
        print(f"| {family} | {sum(counts.values())} | "
              + " | ".join(str(counts.get(v, 0)) for v in verdicts) + " |")
    total = Counter(r[2] for r in rows)
    print(f"| all | {len(rows)} | " + " | ".join(str(total.get(v, 0)) for v in verdicts) + " |")
    bad = [r for r in rows if r[2] not in good]
    if bad:
        print("\nnot " + "/".join(good) + ":")
        for family, name, verdict, detail in bad:
            print(f"- {family} / {name}: **{verdict}** ({detail})")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", choices=("inputs", "kill", "corrupt"),
                        default=["inputs", "kill", "corrupt"])
    parser.add_argument("--families", nargs="+", default=None,
                        help="inputs: only these families (csv inmet toml flags text api)")
    parser.add_argument("--kills", type=int, default=10, help="random stops per train command")
    parser.add_argument("--files", type=int, default=None,
                        help="damage only N files of each run, spread over its sorted file list")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="rnnlab-reliability-"))
    start = time.time()
    import torch

    from rnnlab import __version__

    print(f"rnnlab {__version__}, torch {torch.__version__}, {os.cpu_count()} CPUs, "
          f"{time.strftime('%Y-%m-%d %H:%M %Z')}; {' '.join(sys.argv)}", flush=True)
    fixtures = setup(root)
    if args.families:
        fixtures["cases"] = [c for c in fixtures["cases"] if c.family in args.families]
    if "inputs" in args.only:
        summarise("Malformed input", run_inputs(fixtures, root), ("clear", "ok"))
    if "kill" in args.only:
        rows = kill_trials(rnnlab, root, args.kills, args.seed)
        summarise("Stopped at a random moment, then resumed", rows, ("identical",))
    if "corrupt" in args.only:
        rows = corrupt_cases(rnnlab, classify, root, fixtures, read_only_available(root),
                             args.files)
        summarise("Damaged or read-only run directories", rows,
                  ("clear", "ok", "recovered", "unaffected"))
    print(f"\ntotal {time.time() - start:.0f} s; files in {root}" if args.keep else
          f"\ntotal {time.time() - start:.0f} s")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
