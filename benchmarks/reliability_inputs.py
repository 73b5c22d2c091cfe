"""The malformed-input corpus of ``benchmarks/reliability.py``: CSV, INMET, TOML, flags, API.

(Over 300 lines because it is the case table itself: one line or two per case.)

Each case is a command line (or, for the API family, a Python snippet) and what a
careful tool must do with it: ``expect="error"`` with a message matching
``pattern`` (what it is, and where: file and line, field, flag), or
``expect="ok"`` (a legitimate input that must work, with finite results).
Controls (legitimate inputs) are in every family, so a tool that refused
everything would not score well. The files are written under ``root`` by
:func:`write_inputs`; ``{root}`` and ``{lm}`` (a trained LM run) in the
command lines are filled in by the driver.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from reliability_text import text_cases


@dataclass(frozen=True)
class Case:
    family: str  # csv, inmet, toml, flags, text, api
    name: str
    argv: tuple[str, ...]  # rnnlab arguments; for "api": ("python", code)
    expect: str  # "error" or "ok"
    pattern: str = ""  # regex the error message must match (file:line, field, flag …)


def _series(n: int = 160) -> pd.DataFrame:
    t = np.arange(n)
    noise = np.random.default_rng(0).normal(0, 0.3, (2, n))  # (not exactly periodic: MASE)
    return pd.DataFrame({
        "time": pd.date_range("2024-01-01", periods=n, freq="h").strftime("%Y-%m-%d %H:%M"),
        "temp": np.round(20 + 5 * np.sin(2 * np.pi * t / 24) + noise[0], 2),
        "hum": np.round(60 + 10 * np.cos(2 * np.pi * t / 24) + noise[1], 1)})


def _csv_texts() -> dict[str, tuple[str, str, str]]:
    """name -> (file text, expect, pattern)."""
    frame = _series()
    rows = [f"{a},{b},{c}" for a, b, c in frame.itertuples(index=False)]
    head = "time,temp,hum"

    def text(lines, header=head):
        return header + "\n" + "\n".join(lines) + "\n"

    def at(row: str, i: int = 5) -> list[str]:
        return [*rows[:i], row, *rows[i + 1:]]

    semi = [r.replace(",", ";").replace(".", ",") for r in rows]
    t5 = rows[5].split(",")[0]
    return {
        "control": (text(rows), "ok", ""),
        "control-semicolon-decimal-comma": (text(semi, "time;temp;hum"), "ok", ""),
        "control-tab": (text([r.replace(",", "\t") for r in rows], "time\ttemp\thum"), "ok", ""),
        "control-crlf": (text(rows).replace("\n", "\r\n"), "ok", ""),
        "control-bom": ("\ufeff" + text(rows), "ok", ""),
        "control-empty-values": (text(at(f"{t5},,")), "ok", ""),
        "control-na-words": (text(at(f"{t5},NaN,NA")), "ok", ""),
        "control-unnamed-time": (text(rows, ",temp,hum"), "ok", ""),
        "control-trailing-delimiters": (text([r + ";" for r in semi], "time;temp;hum;"), "ok", ""),
        "trailing-delimiters-rows-only": (text([r + ";" for r in semi], "time;temp;hum"), "ok",
                                          ""),
        "ragged-short": (text(at(f"{t5},20.5")), "error", r":7: expected 3 fields.*got 2"),
        "ragged-long": (text(at(f"{t5},20.5,61,9")), "error", r":7: expected 3 fields.*got 4"),
        "mixed-delimiters": (text(at(f"{t5};20.5;61")), "error", r":7: .*mixed delimiters"),
        "decimal-comma-unquoted": (text(at(f"{t5},20,5,61")), "error", r":7: .*got 4"),
        "thousands-comma": (text([f'{a},{b},"1,0{i % 10}0.5"' for i, (a, b, _) in
                                  enumerate(frame.itertuples(index=False))]), "error",
                            r":2: column 'hum' .*thousands separator"),
        "thousands-dot": (text([f"{a};{str(b).replace('.', ',')};1.0{i % 10}0,5" for i, (a, b, _)
                                in enumerate(frame.itertuples(index=False))], "time;temp;hum"),
                          "error", r":2: column 'hum' .*thousands separator"),
        "text-in-numbers": (text(at(f"{t5},warm,61")), "error", r":7: column 'temp' .*'warm'"),
        "inf": (text(at(f"{t5},inf,61")), "error", r":7: column 'temp' .*not a finite"),
        "minus-inf": (text(at(f"{t5},-Infinity,61")), "error", r":7: column 'temp'"),
        "1e308": (text(at(f"{t5},1e308,61")), "error", r":7: column 'temp' .*float32"),
        "1e309": (text(at(f"{t5},1e309,61")), "error", r":7: column 'temp' .*not a finite"),
        "bad-date": (text(at("2024-13-01 05:00,20.5,61")), "error", r":7: time column 'time'"),
        "empty-date": (text(at(",20.5,61")), "error", r":7: time column 'time'.*nothing"),
        "mistyped-year": (text(at(t5.replace("2024", "2042") + ",20.5,61")), "error",
                          r"lie far after.*:7 \(2042"),
        "per-second-typo": ("time,v\n" + "".join(
            f"{t},{i % 7}\n" for i, t in enumerate(
                [str(x) for x in pd.date_range("2024-05-01", periods=3000, freq="s")][:1500]
                + ["2000-05-01 00:25:00"]
                + [str(x) for x in pd.date_range("2024-05-01 00:25:01", periods=1499,
                                                 freq="s")])), "error", r"lie far before.*:1502"),
        "numbers-as-time": ("time,temp\n" + "".join(f"{1700000000 + 3600 * i},{i % 5}\n"
                                                    for i in range(100)), "error",
                            r"time column|expected a time column"),
        "no-time-column": ("a,b\n" + "".join(f"{i},{i * 2}\n" for i in range(50)), "error",
                           r"expected a time column, found none among \['a', 'b'\]"),
        "header-only": (head + "\n", "error", r"no data rows"),
        "empty-file": ("", "error", r"is empty"),
        "target-is-text": (text([f"{a},hot,{c}" for a, _, c in frame.itertuples(index=False)]),
                           "error", r"'temp'"),
        "duplicate-header": (text(rows, "time,temp,temp"), "error", r"more than once"),
        "quote-unclosed": (text(at(f'{t5},"20.5,61')), "error", r":7|line 7|malformed"),
    }


def _inmet_lines() -> list[str]:
    from rnnlab.data.shipped_data import resolve_path

    path = next(p for p in resolve_path("shipped:inmet-a001-2024").iterdir()
                if p.name.upper().endswith(".CSV.GZ"))
    return gzip.decompress(path.read_bytes()).decode("latin-1").split("\n")[:9 + 24 * 14]


def _inmet_texts() -> dict[str, tuple[list[str], str, str]]:
    lines = _inmet_lines()
    r = 13  # line 14: 2024/01/01 0400 UTC

    def at(change) -> list[str]:
        out = list(lines)
        out[r] = change(out[r])
        return out

    return {
        "control": (lines, "ok", ""),
        "empty-hour": (at(lambda s: s.replace("0400 UTC", "")), "error", r":14: .*empty hour"),
        "bad-hour": (at(lambda s: s.replace("0400 UTC", "2500 UTC")), "error", r":14: .*2500"),
        "empty-date": (at(lambda s: ";" + s.split(";", 1)[1]), "error", r":14: .*empty date"),
        "ragged": (at(lambda s: s.rsplit(";", 3)[0]), "error", r":14: expected 19 fields"),
        "extra-fields": (at(lambda s: s + "1;2;3"), "error", r":14: expected 19 fields"),
        "comma-row": (at(lambda s: s.replace(";", ",")), "error", r":14: "),
        "text-value": (at(lambda s: s.replace(";0;", ";chuva;", 1)), "error", r":14: .*'chuva'"),
        "inf-value": (at(lambda s: s.replace(";0;", ";inf;", 1)), "error", r":14: .*finite"),
        "repeated-hour": (at(lambda s: s.replace("0400 UTC", "0300 UTC")), "error",
                          r":14: the hour .* repeats .*:13"),
        "mistyped-year": (at(lambda s: s.replace("2024/", "2042/")), "error",
                          r"lie far after.*:14"),
        "no-header": ([*lines[:8], *lines[9:]], "error", r"no 'Data;Hora UTC;...' header"),
        "missing-9999": (at(lambda s: s.replace(";0;", ";-9999;", 1)), "ok", ""),
    }


TOML_BASE = """[task]
kind = "lm"
[data]
path = "{root}/corpus"
batch_size = 2
bptt = 6
[model]
embedding_size = 8
hidden_size = 8
num_layers = 1
[train]
max_steps = 3
"""


def _toml_texts() -> dict[str, tuple[str, str, str]]:
    base = TOML_BASE

    def change(old: str, new: str) -> str:
        assert old in base, old
        return base.replace(old, new)

    return {
        "control": (base, "ok", ""),
        "misspelt-section": (base + "[trian]\nepochs = 100\n", "error", r"unknown section.*trian"),
        "misspelt-field": (change("max_steps", "max_step"), "error", r"unknown field.*max_step"),
        "string-for-int": (change("max_steps = 3", 'max_steps = "three"'), "error",
                           r"max_steps: expected an integer"),
        "float-for-int": (change("hidden_size = 8", "hidden_size = 8.5"), "error",
                          r"hidden_size: expected an integer"),
        "bool-for-int": (change("batch_size = 2", "batch_size = true"), "error",
                         r"batch_size: expected an integer"),
        "nan": (base + "lr = nan\n", "error", r"lr: expected a finite number"),
        "inf": (base + "clip_norm = inf\n", "error", r"clip_norm: expected a finite number"),
        "negative-lr": (base + "lr = -1.0\n", "error", r"train.lr: expected a number > 0"),
        "huge-seed": (base + "seed = 9223372036854775807\n", "ok", ""),
        "negative-seed": (base + "seed = -1\n", "error", r"train.seed"),
        "unknown-kind": (change('kind = "lm"', 'kind = "lmm"'), "error", r"did you mean 'lm'"),
        "code-kind": (change('kind = "lm"', 'kind = "os:system"'), "error", r"unknown task"),
        "code-cell": (change("num_layers = 1", 'num_layers = 1\ncell = "os:system"'), "error",
                      r"unknown cell 'os:system'"),
        "no-task": (base.replace('[task]\nkind = "lm"\n', ""), "error", r"\[task\] table"),
        "bad-syntax": (base + "lr = = 1\n", "error", r"is not valid UTF-8 TOML"),
        "empty": ("", "error", r"\[task\] table"),
        "cuda": (base + 'device = "cuda"\n', "error", r"no CUDA device"),
        "fp16-cpu": (base + 'device = "cpu"\nprecision = "fp16"\n', "error", r"fp16.*CUDA"),
        "k2-no-carry": (base + "bptt_k2 = 12\ncarry_state = false\n", "error", r"carry_state"),
        "missing-corpus": (change("{root}/corpus", "{root}/nope"), "error", r"nope"),
        "section-not-table": ("lm = 3\n" + base, "error", r"\[lm\] must be a table"),
    }


def flag_cases() -> list[Case]:
    """Command lines with a bad flag (``{lm}`` a trained LM run, ``{fc}`` a forecast run)."""
    gen = ("lm", "generate", "{lm}", "o")
    bad = [
        ((*gen, "--temperature", "nan"), r"temperature"),
        ((*gen, "--temperature", "inf"), r"temperature"),
        ((*gen, "--temperature", "-1"), r"temperature"),
        ((*gen, "--top-p", "0"), r"top_p"),
        ((*gen, "--top-k", "-1"), r"top_k"),
        ((*gen, "--max-tokens", "0"), r"max-tokens"),
        ((*gen, "--seed", str(2 ** 64)), r"seed"),
        ((*gen, "--seed", "-1"), r"seed"),
        ((*gen, "--device", "gpu"), r"--device: expected"),
        ((*gen, "--device", "cuda"), r"no CUDA device"),
        (("lm", "next", "{lm}", "o", "--device", "cuda:1"), r"no CUDA device"),
        (("lm", "evaluate", "{lm}", "--device", "mps"), r"--device: expected"),
        (("lm", "agreement", "{lm}", "--data", "{root}/nope"), r"nope"),
        (("lm", "next", "{lm}", "o", "-k", "0"), r"-k >= 1"),
        (("lm", "next", "{lm}"), r"PROMPT"),
        (("lm", "evaluate", "{root}/nope"), r"run directory not found"),
        (("lm", "evaluate", "{root}/corpus/train.txt"), r"not found|not a run|directory"),
        (("lm", "evaluate", "{fc}"), r"not a 'lm' run"),
        (("--threads", "0", "lm", "evaluate", "{lm}"), r"--threads"),
        (("lm", "train", "--run-dir", "{root}/r1", "--corpus", "{root}/nope"), r"nope"),
        (("lm", "train", "--run-dir", "{root}/r2", "--corpus", "{root}/empty.txt"), r"empty"),
        (("lm", "train", "--run-dir", "{root}/r3", "--epochs", "-1"), r"epochs"),
        (("lm", "train", "--run-dir", "{root}/r4", "--lr", "nan"), r"lr: expected a finite"),
        (("lm", "train", "--run-dir", "{root}/r5", "--lr", "0"), r"lr: expected a number > 0"),
        (("lm", "train", "--run-dir", "{root}/r6", "--hidden-size", "0"), r"hidden_size"),
        (("lm", "train", "--run-dir", "{root}/r7", "--cell", "lsmt"), r"unknown cell 'lsmt'"),
        (("lm", "train", "--run-dir", "{lm}", "--corpus", "{root}/corpus"), r"already holds"),
        (("lm", "train", "--resume", "{root}/nope"), r"not found"),
        (("lm", "train", "--resume", "{lm}", "--hidden-size", "4"), r"only train"),
        (("forecast", "train", "--data", "{root}/csv/control.csv", "--target", "temp",
          "--lookback", "0", "--run-dir", "{root}/f1"), r"lookback"),
        (("forecast", "train", "--data", "{root}/csv/control.csv", "--target", "nope",
          "--run-dir", "{root}/f2"), r"nope"),
        (("forecast", "train", "--data", "{root}/csv/control.csv", "--target", "temp",
          "--train-end", "2.0", "--run-dir", "{root}/f3"), r"train_end"),
        (("forecast", "predict", "{fc}", "--data", "{root}/csv/control.csv", "--origin",
          "1900-01-01", "--out", "{root}/p.csv"), r"origin"),
        (("forecast", "predict", "{fc}", "--data", "{root}/csv/control.csv", "--origin",
          "someday", "--out", "{root}/p.csv"), r"origin|someday"),
        (("forecast", "predict", "{lm}", "--data", "{root}/csv/control.csv", "--out",
          "{root}/p.csv"), r"not a forecast run"),
        (("diagnose", "compare", "--seeds", str(2**64), "--run-dir", "{root}/c"), r"seeds"),
        (("lm", "agreement", "{lm}", "--data", "{root}/tsv/three-columns"), r"three-columns"
                                                                             r".gold:2: expected"),
        (("lm", "agreement", "{lm}", "--data", "{root}/tsv/past-end"), r"past-end.gold:1: verb "
                                                                       r"position 9 is past"),
        (("lm", "agreement", "{lm}", "--data", "{root}/tsv/misaligned"), r"line-aligned"),
        (("lm", "train", "--run-dir", "{root}/u1", "--corpus", "{root}/conllu/nine.conllu"),
         r"nine.conllu:3: expected 10 tab-separated"),
        (("lm", "train", "--run-dir", "{root}/u2", "--corpus", "{root}/conllu/spaces.conllu"),
         r"spaces.conllu:2: expected 10 tab-separated"),
        (("lm", "train", "--run-dir", "{root}/u3", "--corpus", "{root}/conllu/id.conllu"),
         r"id.conllu:2: expected an integer token id"),
    ]
    good = [(*gen, "--seed", "1", "--max-tokens", "3"), (*gen, "--beam", "2", "--max-tokens", "2"),
            (*gen, "--beam", "50", "--max-tokens", "3"),
            ("lm", "next", "{lm}", "o", "-k", "3"), ("lm", "evaluate", "{lm}", "--split", "valid"),
            ("forecast", "predict", "{fc}", "--data", "{root}/csv/control.csv", "--out",
             "{root}/p.csv")]
    return ([Case("flags", " ".join(a[1:5]), a, "error", p) for a, p in bad]
            + [Case("flags", " ".join(a[:4]), a, "ok") for a in good])


API = {  # name -> (code, expect, pattern); the code runs in a fresh interpreter
    "lstm-zero-hidden": ("import rnnlab; rnnlab.LSTM(8, 0)", "error", r"hidden_size"),
    "lstm-wrong-input": ("import rnnlab, torch; rnnlab.LSTM(8, 16)(torch.zeros(5, 2, 7))",
                         "error", r"expected input.*8.*7|input_size"),
    "cell-unknown": ("from rnnlab.cells import get_cell; get_cell('lsmt')", "error",
                     r"unknown cell 'lsmt'"),
    "sampling-nan": ("from rnnlab.generation import SamplingConfig; "
                     "SamplingConfig(temperature=float('nan'))", "error", r"temperature"),
    "train-config-nan": ("from rnnlab.training import TrainConfig; TrainConfig(lr=float('nan'))",
                         "error", r"lr"),
    "resolve-misspelt": ("from rnnlab.tasks import resolve_config; "
                         "resolve_config({'trian': {}}, kind='lm')", "error", r"trian"),
    "csv-inf": ("from rnnlab.data.csv_series import read_csv_series; "
                "read_csv_series('{root}/csv/inf.csv')", "error", r":7: column 'temp'"),
    "train-existing": ("from rnnlab.tasks import train; train({'task': {'kind': 'lm'}}, "
                       "'{lm}')", "error", r"already holds"),
    "resume-missing": ("from rnnlab.tasks import resume; resume('{root}/nope')", "error",
                       r"not found"),
    "load-weights-missing": ("import torch; from rnnlab.training import load_weights; "
                             "load_weights(torch.nn.Linear(2, 2), '{root}/nope')", "error",
                             r"nope|no checkpoint"),
    "control-train-short": ("from rnnlab.tasks import train; r = train({'task': {'kind': 'lm'},"
                            " 'data': {'path': '{root}/corpus', 'batch_size': 2, 'bptt': 6}, "
                            "'model': {'embedding_size': 8, 'hidden_size': 8, 'num_layers': 1},"
                            " 'train': {'max_steps': 2, 'progress': False}}, '{root}/api-run')"
                            "; print(r.summary['steps'])", "ok", ""),
}


def write_inputs(root: Path) -> list[Case]:
    """Write every input file under ``root``; return the cases (command lines)."""
    cases: list[Case] = []
    (root / "csv").mkdir(parents=True, exist_ok=True)
    for name, (text, expect, pattern) in _csv_texts().items():
        path = root / "csv" / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        argv = ("forecast", "train", "--data", str(path), "--target", "temp", "--lookback", "12",
                "--horizon", "3", "--hidden-size", "4", "--epochs", "1", "--quiet",
                "--set", "forecast.train_stride=8", "--run-dir", str(root / "runs" / name))
        cases.append(Case("csv", name, argv, expect, pattern))
    (root / "inmet").mkdir(exist_ok=True)
    for name, (lines, expect, pattern) in _inmet_texts().items():
        path = root / "inmet" / f"{name}.csv"
        path.write_bytes("\n".join(lines).encode("latin-1"))
        argv = ("forecast", "train", "--data", str(path), "--target", "temp", "--lookback", "24",
                "--horizon", "6", "--hidden-size", "4", "--epochs", "1", "--quiet",
                "--set", "forecast.train_stride=8", "--set", "split.train_end=0.6",
                "--set", "split.valid_end=0.8", "--run-dir", str(root / "runs" / f"i-{name}"))
        cases.append(Case("inmet", name, argv, expect, pattern))
    _write_tsv_and_conllu(root)
    (root / "toml").mkdir(exist_ok=True)
    for name, (text, expect, pattern) in _toml_texts().items():
        path = root / "toml" / f"{name}.toml"
        path.write_text(text.replace("{root}", root.as_posix()), encoding="utf-8")
        argv = ("train", str(path), "--quiet", "--run-dir", str(root / "runs" / f"t-{name}"))
        cases.append(Case("toml", name, argv, expect, pattern))
    cases += flag_cases()
    cases += text_cases(root, Case)
    cases += [Case("api", name, ("python", code), expect, pattern)
              for name, (code, expect, pattern) in API.items()]
    return cases


def _write_tsv_and_conllu(root: Path) -> None:
    """Agreement sets (``NAME.text`` + ``NAME.gold``, tab-separated) and CoNLL-U files, each
    with one thing wrong."""
    tsv, conllu = root / "tsv", root / "conllu"
    tsv.mkdir(exist_ok=True)
    conllu.mkdir(exist_ok=True)
    text = "os gatos andam . <eos>\no gato anda . <eos>\n"
    for name, gold in (("three-columns", "2\tandam\tanda\t0\n2\tanda\tandam\n"),
                       ("past-end", "9\tandam\tanda\t0\n2\tanda\tandam\t0\n"),
                       ("misaligned", "2\tandam\tanda\t0\n")):
        (tsv / f"{name}.text").write_text(text, encoding="utf-8")
        (tsv / f"{name}.gold").write_text(gold, encoding="utf-8")
    row = "1\tgato\tgato\tNOUN\t_\t_\t0\troot\t_\t_"
    (conllu / "nine.conllu").write_text(f"# text = gato\n{row}\n{row.rsplit(chr(9), 1)[0]}\n\n",
                                        encoding="utf-8")
    (conllu / "spaces.conllu").write_text(f"# x\n{row.replace(chr(9), ' ')}\n\n",
                                          encoding="utf-8")
    (conllu / "id.conllu").write_text(f"# x\n{row.replace('1', 'a', 1)}\n\n", encoding="utf-8")
