"""The sections of a conditional-generation run: ``[data]``, ``[model]``, ``[sample]``.

A run directory holds ``config.toml``, ``tokenizer.json`` (characters),
``labels.json`` (the conditions, in id order), ``split.json`` and the
checkpoints: enough to rebuild the model and generate for any condition.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rnnlab.models.conditional import ConditionalConfig
from rnnlab.tasks.kind import ConfigSchema

if TYPE_CHECKING:
    from rnnlab.tasks.config import RunConfig


@dataclass(frozen=True)
class CondGenDataConfig:
    """``[data]``: a folder of ``<Label>.txt`` files (one item per line), split by distinct text."""

    path: str = "shipped:surnames"  # a folder of <Label>.txt files (a names/ inside is found)
    valid_fraction: float = 0.1  # share of the distinct texts held out for validation
    test_fraction: float = 0.1  # ... and for test
    split_seed: int = 0  # shuffles the distinct texts before the split
    batch_size: int = 64  # items per training step
    eval_batch_size: int = 256  # items per evaluation batch

    def __post_init__(self) -> None:
        if self.batch_size < 1 or self.eval_batch_size < 1:
            raise ValueError("[data] batch_size and eval_batch_size: expected >= 1")
        fractions = (self.valid_fraction, self.test_fraction)
        if min(fractions) < 0 or sum(fractions) >= 1:
            raise ValueError("[data] valid_fraction and test_fraction: expected >= 0 with a sum "
                             f"below 1, got {self.valid_fraction} and {self.test_fraction}")


@dataclass(frozen=True)
class SampleConfig:
    """``[sample]``: the samples a finished run shows (and the CLI's defaults)."""

    temperature: float = 0.8  # τ of sampling; 0 = greedy
    top_k: int = 0  # keep only the k most probable characters; 0 = all
    per_condition: int = 5  # samples per condition in the report
    max_tokens: int = 20  # characters per sample at most
    seed: int = 0  # the same seed gives the same samples

    def __post_init__(self) -> None:
        if self.temperature < 0 or self.top_k < 0 or self.per_condition < 0:
            raise ValueError("[sample] expected temperature, top_k, per_condition >= 0")
        if self.max_tokens < 1:
            raise ValueError("[sample] max_tokens: expected >= 1")


def check(config: RunConfig) -> None:
    if not config["data"].path:
        raise ValueError("[data] path: expected a folder of <Label>.txt files (e.g. "
                         "../shared/data/pytorch-tutorial-names), got none")


SCHEMA = ConfigSchema(
    name="condgen",
    sections={"data": CondGenDataConfig, "model": ConditionalConfig, "sample": SampleConfig},
    train_defaults={"clip_norm": 1.0, "epochs": 10},
    check=check,
)
