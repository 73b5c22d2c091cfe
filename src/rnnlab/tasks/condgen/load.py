"""A trained conditional generator from its run directory: sample, score, report.

    gen = load_generator("runs/names")
    generate_items(gen, "Portuguese", n=5, temperature=0.8, seed=1)   # ["Sousa", …]
    evaluate_run("runs/names").bpc                                   # held-out bits per char
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from rnnlab.data.text.factory import load_tokenizer
from rnnlab.data.text.labelled import load_labelled_folder
from rnnlab.data.text.tokenizers import Tokenizer
from rnnlab.evaluation.language import format_table
from rnnlab.generation import SamplingConfig, generate
from rnnlab.models.conditional import ConditionalGenerator, ConditionedLM
from rnnlab.tasks.condgen.config import SCHEMA, SampleConfig
from rnnlab.tasks.condgen.task import (
    LABELS_FILE,
    TOKENIZER_FILE,
    ConditionalTask,
    encode_items,
)
from rnnlab.tasks.config import read_run_config
from rnnlab.training.checkpoint import load_weights
from rnnlab.training.evaluate import loss_sums
from rnnlab.training.precision import resolve_device

if TYPE_CHECKING:
    from rnnlab.tasks.config import RunConfig


@dataclass
class LoadedGenerator:
    model: ConditionalGenerator
    tokenizer: Tokenizer
    labels: list[str]
    config: RunConfig
    meta: dict[str, Any]


def load_generator(run_dir: str | Path, which: str = "best",
                   device: str = "cpu") -> LoadedGenerator:
    """Model, characters, labels and config from a run directory."""
    where = resolve_device(device, what="--device")  # before anything is read
    run_dir = Path(run_dir)
    config = read_run_config(run_dir, SCHEMA)
    tokenizer = load_tokenizer(run_dir / TOKENIZER_FILE)
    labels = json.loads((run_dir / LABELS_FILE).read_text(encoding="utf-8"))
    model = ConditionalGenerator(config["model"], tokenizer.vocab_size, num_classes=len(labels))
    meta = load_weights(model, run_dir, which=which)
    model.to(where).eval()
    return LoadedGenerator(model, tokenizer, labels, config, meta)


def generate_items(gen: LoadedGenerator, condition: str, n: int = 5, *,
                   sample: SampleConfig | None = None, start: str = "") -> list[str]:
    """``n`` samples for ``condition`` (a label of the run), each beginning with ``start``."""
    if condition not in gen.labels:
        raise ValueError(f"unknown condition {condition!r}; this run knows {gen.labels}")
    sample = sample or gen.config["sample"]
    tok = gen.tokenizer
    device = gen.model.decoder.output.weight.device
    lm = ConditionedLM(gen.model, torch.tensor([gen.labels.index(condition)], device=device))
    prompt = tok.encode(start)
    out = []
    for i in range(n):
        config = SamplingConfig(temperature=sample.temperature, top_k=sample.top_k,
                                max_tokens=sample.max_tokens, seed=sample.seed + i,
                                stop_at_eos=True, banned=(tok.unk_id,))
        ids = [t for t in generate(lm, prompt, config, start_id=tok.eos_id, eos_id=tok.eos_id)
               if t != tok.eos_id]
        out.append(start + tok.decode(ids))
    return out


@dataclass
class CondGenEvaluation:
    split: str
    items: int
    characters: int  # scored, <eos> included
    bpc: float  # bits per character
    samples: dict[str, list[str]]

    def describe(self) -> str:
        rows = [(label, ", ".join(names)) for label, names in self.samples.items()]
        return (f"{self.split}: {self.items} items, {self.characters} characters (with <eos>): "
                f"{self.bpc:.4f} bits per character\n" + (format_table(rows, ["condition",
                                                                             "samples"])
                                                          if rows else ""))


def evaluate_loaded(gen: LoadedGenerator, split: str = "test",
                    task: ConditionalTask | None = None) -> CondGenEvaluation:
    """Held-out bits per character of ``split``, and samples for every condition."""
    if task is None:
        data = gen.config["data"]
        parts = load_labelled_folder(data.path, valid=data.valid_fraction,
                                     test=data.test_fraction, seed=data.split_seed)
        splits = {s: encode_items(items, gen.tokenizer, gen.labels)
                  for s, items in parts.items.items() if items}
        task = ConditionalTask(gen.model, gen.tokenizer, gen.labels, splits, data)
    if split not in task.splits:
        raise ValueError(f"the run's data has no {split!r} split")
    total, chars = loss_sums(task, gen.model, task.batches(split, 0), carry_state=False,
                             precision="fp32", device=gen.model.decoder.output.weight.device)
    per = gen.config["sample"].per_condition
    samples = {label: generate_items(gen, label, per) for label in gen.labels} if per else {}
    return CondGenEvaluation(split, len(task.splits[split].items), chars,
                             total / chars / math.log(2), samples)


def evaluate_run(run_dir: str | Path, split: str = "test", which: str = "best",
                 device: str = "cpu") -> CondGenEvaluation:
    """``rnnlab condgen evaluate``: held-out bits per character and samples."""
    return evaluate_loaded(load_generator(run_dir, which, device), split)


def finish(config: RunConfig, run_dir: Path, task: ConditionalTask) -> CondGenEvaluation:
    """After training: held-out bits per character and samples per condition, in report.md."""
    gen = load_generator(run_dir, "best" if "valid" in task.splits else "last")
    split = "test" if "test" in task.splits else "valid"
    result = evaluate_loaded(gen, split, ConditionalTask(gen.model, task.tokenizer, task.labels,
                                                         task.splits, task.data))
    mode = config["model"].mode
    lines = ["# Conditional generation", "", f"Data: `{config['data'].path}`; condition mode "
             f"`{mode}`; weights: step {gen.meta.get('step')}.", "", "```", result.describe(),
             "```", "", "Compare the bits per character with a run of `model.mode = \"none\"` "
             "(the same data, split and network without the condition): `rnnlab condgen "
             "evaluate RUN_DIR` on both."]
    (Path(run_dir) / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return result
