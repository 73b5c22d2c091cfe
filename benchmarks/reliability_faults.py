"""The fault-injection harnesses of ``benchmarks/reliability.py``: random stops, damaged runs.

``kill_trials`` stops each train command at random moments and resumes it until
done, then compares with an uninterrupted run; ``corrupt_cases`` damages one
file of a finished run at a time (and makes the whole run read-only) and runs a
read command and ``--resume`` on it. Both take the driver's ``rnnlab`` runner.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import signal
import sys
import time
from pathlib import Path

import numpy as np

# the only fields allowed to differ between runs (measurements of the machine, not the model)
WALL_CLOCK = ("wall_time", "cpu_time", "items_per_s")


def _workloads(root: Path) -> dict[str, tuple[list[str], list[str]]]:
    """name -> (fresh argv without --run-dir, resume argv prefix): three small runs, each
    with several checkpoints, dropout (so RNG state matters) and a finish step."""
    corpus, csv = root / "corpus", root / "csv" / "control.csv"
    config = root / "kill-lm.toml"
    config.write_text(
        f'[task]\nkind = "lm"\n[data]\npath = "{corpus.as_posix()}"\nbatch_size = 4\nbptt = 8\n'
        "variable_bptt = true\n[model]\nembedding_size = 8\nhidden_size = 12\nnum_layers = 2\n"
        "dropout_input = 0.2\ndropout_hidden = 0.2\n[train]\nepochs = 3\ncheckpoint_every = 7\n"
        "progress = false\n", encoding="utf-8")
    return {
        "rnnlab train": (["train", str(config)], ["train", "--resume"]),
        "lm train": (["lm", "train", "--corpus", str(corpus), "--quiet", "--cell", "gru",
                      "--hidden-size", "12", "--epochs", "3", "--set", "model.embedding_size=8",
                      "--set", "data.batch_size=4", "--set", "data.bptt=8",
                      "--set", "model.dropout_output=0.3", "--set", "train.checkpoint_every=5"],
                     ["lm", "train", "--resume"]),
        "forecast train": (["forecast", "train", "--data", str(csv), "--target", "temp",
                            "--inputs", "hum", "--lookback", "12", "--horizon", "3",
                            "--hidden-size", "6", "--num-layers", "2", "--epochs", "3", "--quiet",
                            "--set", "model.dropout=0.2", "--set", "train.checkpoint_every=3",
                            "--set", "forecast.batch_size=16"],
                           ["forecast", "train", "--resume"]),
    }


def fingerprint(run: Path) -> dict:
    """What must be identical: the metrics log (less wall-clock fields), every kept
    checkpoint's weights, the report (and a forecast run's evaluation.json)."""
    from safetensors.numpy import load_file

    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()
               if line.strip()]
    weights = {}
    for checkpoint in sorted((run / "checkpoints").iterdir()):
        if (checkpoint / "model.safetensors").is_file():
            tensors = load_file(checkpoint / "model.safetensors")
            weights[checkpoint.name] = hashlib.sha256(b"".join(
                k.encode() + np.ascontiguousarray(tensors[k]).tobytes()
                for k in sorted(tensors))).hexdigest()
    files = {name: (run / name).read_text() for name in ("report.md", "evaluation.json")
             if (run / name).is_file()}
    return {"metrics": [{k: v for k, v in r.items() if k not in WALL_CLOCK} for r in records],
            "weights": weights, "files": files}


def _difference(a: dict, b: dict) -> str:
    if a["weights"] != b["weights"]:
        return f"weights differ ({sorted(a['weights'])} vs {sorted(b['weights'])})"
    if a["metrics"] != b["metrics"]:
        pairs = zip(a["metrics"], b["metrics"], strict=False)
        i = next((i for i, (x, y) in enumerate(pairs) if x != y),
                 min(len(a["metrics"]), len(b["metrics"])))
        fields = (sorted(k for k in {**a["metrics"][i], **b["metrics"][i]}
                         if a["metrics"][i].get(k) != b["metrics"][i].get(k))
                  if i < min(len(a["metrics"]), len(b["metrics"])) else [])
        return (f"metrics differ at record {i} {fields} "
                f"({len(a['metrics'])} vs {len(b['metrics'])})")
    if a["files"] != b["files"]:
        return f"report differs ({sorted(a['files'])} vs {sorted(b['files'])})"
    return ""


def kill_trials(rnnlab, root: Path, kills: int, seed: int) -> list[tuple[str, str, str, str]]:
    rng = random.Random(seed)
    rows = []
    for name, (fresh, resume) in _workloads(root).items():
        ref = root / "kill" / name.replace(" ", "-") / "reference"
        start = time.perf_counter()
        code, _, err = rnnlab([*fresh, "--run-dir", str(ref)], cwd=root)
        total = time.perf_counter() - start
        if code != 0:
            rows.append((name, "reference", "failed", err.strip()[-200:]))
            _log(rows)
            continue
        print(f"  {name} reference: {total:.1f} s", file=sys.stderr, flush=True)
        expected = fingerprint(ref)
        for trial in range(kills):
            run = ref.parent / f"trial-{trial}"
            sig = rng.choices([signal.SIGKILL, signal.SIGTERM, signal.SIGINT], [0.7, 0.15, 0.15])[0]
            at = rng.uniform(0.15, 0.95) * total
            process = rnnlab([*fresh, "--run-dir", str(run)], cwd=root, popen=True)
            time.sleep(at)
            process.send_signal(sig)
            _, err = process.communicate()
            first = process.returncode
            note = f"{sig.name} at {at:.1f}s of {total:.1f}s, exit {first}"
            # a stopped run must say how to finish it; stopped before it wrote anything, it
            # must say it stopped (there is nothing to resume: the same command starts again)
            hint = "--resume" if (run / "config.toml").is_file() else "stopped by"
            if sig != signal.SIGKILL and first in (130, 143) and hint not in err:
                rows.append((name, f"trial {trial}", "no resume hint", note))
                _log(rows)
                continue
            attempts = 0
            while attempts < 4:
                attempts += 1
                again = ([*resume, str(run)] if (run / "config.toml").is_file()
                         else [*fresh, "--run-dir", str(run)])
                code, _, err = rnnlab(again, cwd=root)
                if code == 0:
                    break
            if code != 0:
                rows.append((name, f"trial {trial}", "not finished",
                             f"{note}; {err.strip()[-200:]}"))
                _log(rows)
                continue
            difference = _difference(expected, fingerprint(run))
            rows.append((name, f"trial {trial}", "differs" if difference else "identical",
                         f"{note}; {attempts} more run(s) {difference}"))
            _log(rows)
            shutil.rmtree(run, ignore_errors=True)
    return rows


def _log(rows: list) -> None:
    """Print the newest row as it lands (a stopped harness still shows what it measured)."""
    name, trial, verdict, note = rows[-1]
    print(f"  {name} {trial}: {verdict} ({note})", file=sys.stderr, flush=True)


MODES = ("truncate", "flip", "delete")  # every file; text files also "garbage", weights "nan"


def damage(run: Path, relative: str, mode: str) -> None:
    path = run / relative
    data = path.read_bytes()
    if mode == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif mode == "empty":
        path.write_bytes(b"")
    elif mode == "flip":
        i = len(data) // 2
        path.write_bytes(data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:])
    elif mode == "delete":
        path.unlink()
    elif mode == "garbage":
        path.write_bytes(b"\x00\x01not what it was\xff" * 8)
    elif mode == "nan":  # NaN weights under a valid checksum: only the finite check can see it
        from safetensors.numpy import load_file, save_file

        tensors = load_file(path)
        first = sorted(tensors)[0]
        tensors[first] = np.full_like(tensors[first], np.nan)
        save_file(tensors, path)
        meta_path = path.parent / "meta.json"
        meta = json.loads(meta_path.read_text())
        meta["sha256"][path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
        meta_path.write_text(json.dumps(meta))


def _targets(run: Path) -> list[str]:
    names = [p.relative_to(run).as_posix() for p in sorted(run.rglob("*"))
             if p.is_file() and "plots" not in p.parts and p.suffix != ".png"
             and p.name not in ("report.md", "evaluation.json")]  # outputs, not inputs
    steps = sorted({p.split("/")[1] for p in names if p.startswith("checkpoints/step-")})
    keep = steps[-1:]  # the newest step checkpoint (an older one is the fallback)
    return [p for p in names if not p.startswith("checkpoints/step-") or p.split("/")[1] in keep]


def corrupt_cases(rnnlab, classify, root: Path, fixtures: dict, read_only_ok: bool,
                  files: int | None = None) -> list[tuple[str, str, str, str]]:
    csv = root / "csv" / "control.csv"
    rows = []
    for task, (fresh, resume) in _workloads(root).items():
        if task == "rnnlab train":
            continue  # the same run files as lm train
        clean = root / "corrupt" / task.replace(" ", "-")
        code, _, err = rnnlab([*fresh, "--run-dir", str(clean)], cwd=root)
        if code != 0:
            rows.append((task, "reference", "failed", err.strip()[-200:]))
            continue
        reads = ([["lm", "evaluate", "{run}", "--split", "valid"],
                  ["lm", "next", "{run}", "o", "--which", "last"]] if task == "lm train" else
                 [["forecast", "predict", "{run}", "--data", str(csv), "--out",
                   str(root / "predict.csv")],
                  ["forecast", "evaluate", "{run}", "--out", str(root / "evaluation")]])
        commands = [*reads, [*resume, "{run}", "--epochs", "4"]]
        baseline = {}
        for argv in commands:
            copy = root / "corrupt" / "copy"
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(clean, copy)
            baseline[argv[1]] = rnnlab([a.format(run=copy) for a in argv], cwd=root)[1]
        targets = _targets(clean)
        if files is not None and files < len(targets):  # a spread sample, not the first N
            targets = [targets[round(i * len(targets) / files)] for i in range(files)]
        for relative in targets:
            modes = MODES + (("nan",) if relative.endswith("model.safetensors") else
                             ("garbage",) if relative.endswith((".json", ".toml", ".jsonl"))
                             else ())
            for mode in modes:
                for argv in commands:
                    copy = root / "corrupt" / "copy"
                    shutil.rmtree(copy, ignore_errors=True)
                    shutil.copytree(clean, copy)
                    damage(copy, relative, mode)
                    code, out, err = rnnlab([a.format(run=copy) for a in argv], cwd=root)
                    verdict = classify("ok", "", code, out, err)
                    if verdict == "misleading":  # refused: does it name what is damaged?
                        named = Path(relative).name in err or Path(relative).parent.name in err
                        verdict = "clear" if named and code in (2, 3) else "misleading"
                    elif verdict == "ok":
                        verdict = ("unaffected" if out == baseline[argv[1]] else
                                   "recovered" if "WARNING" in err else "silent")
                    last = (err.strip().splitlines() or [""])[-1][:150]
                    rows.append((f"{task}: {relative}", f"{mode} / {argv[1]}", verdict,
                                 f"exit {code}: {last}"))
                    print(f"  {task}: {relative} {mode} / {argv[1]}: {verdict}",
                          file=sys.stderr, flush=True)
        if not read_only_ok:
            rows.append((f"{task}: read-only", "all", "skipped", "no read-only mount here"))
            continue
        for argv in commands:
            copy = root / "corrupt" / "copy"
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(clean, copy)
            code, out, err = rnnlab([a.format(run=copy) for a in argv], cwd=root, read_only=copy)
            writes = argv[1] == "train"
            verdict = (classify("error", rf"{copy}.*(not writable|read-only)", code, out, err)
                       if writes else classify("ok", "", code, out, err))
            if verdict == "ok" and out != baseline[argv[1]]:
                verdict = "silent"
            last = (err.strip().splitlines() or [""])[-1][:150]
            rows.append((f"{task}: read-only", " ".join(argv[:2]), verdict, f"exit {code}: {last}"))
    return rows
