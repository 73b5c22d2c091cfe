"""``rnnlab demo`` section "generate": vector -> sequence, a surname given its language.

Trains two character-level GRU generators on the shipped surname lists (split
by distinct name) with the same network, data and number of steps: one whose
decoder reads the language's embedding at every step (``mode = "every"``),
and the unconditional baseline (``mode = "none"``: the same network with the
condition ignored). It prints the held-out bits per character of both — what
knowing the language is worth — and a few sampled surnames per language,
through the same recipe as ``rnnlab condgen train``.
"""

from __future__ import annotations

from pathlib import Path

LANGUAGES = ("Portuguese", "Russian", "Japanese", "Irish")


def demo_config(mode: str, quick: bool) -> dict:
    return {
        "task": {"kind": "condgen"},
        "data": {"path": "shipped:surnames", "batch_size": 64},
        "model": {"cell": "gru", "mode": mode, "hidden_size": 16 if quick else 96,
                  "embedding_size": 16 if quick else 32, "condition_size": 8 if quick else 16},
        "sample": {"per_condition": 0, "temperature": 0.7, "max_tokens": 16},
        "train": {"epochs": 1 if quick else 4, "max_steps": 20 if quick else None, "lr": 5e-3,
                  "progress": False, "seed": 0},
    }


def section(run_dir: Path, quick: bool) -> None:
    from rnnlab.tasks import train
    from rnnlab.tasks.condgen import generate_items, load_generator

    results = {mode: train(demo_config(mode, quick), run_dir / mode) for mode in ("every", "none")}
    every, none = results["every"], results["none"]
    m = every.config["model"]
    print(f"model: characters -> {m.cell.upper()} 1x{m.hidden_size} -> next character; the "
          f"language as a {m.condition_size}-dim embedding read at every step "
          f"({every.summary['steps']} steps each)")
    print(f"held-out {every.report.split} names, bits per character: given the language "
          f"{every.report.bpc:.3f}, without it {none.report.bpc:.3f} "
          f"({none.report.bpc - every.report.bpc:+.3f} bits saved per character)")
    gen = load_generator(run_dir / "every")
    for language in LANGUAGES:
        print(f"  {language:<11} " + ", ".join(generate_items(gen, language, 5)))
    print(f"run directories: {run_dir}/every, {run_dir}/none (try: rnnlab condgen generate "
          f"{run_dir}/every --condition Italian -n 5)")
