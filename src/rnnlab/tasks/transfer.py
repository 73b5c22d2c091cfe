"""Start a classifier or tagger from a trained language model (ULMFiT, Howard & Ruder 2018).

``[transfer] from_lm = "runs/lm"`` copies, before training:

* the **embeddings**, word by word: each token of the new vocabulary that the
  LM's vocabulary holds (compared lower-cased if the LM lower-cased) gets the
  LM's vector; the others keep their random init. The coverage (types and
  training tokens found) is reported — a low one means little is transferred;
* the **recurrent layers** l = 1 … L (forward direction), which needs the same
  encoder ("rnn"), cell, embedding size E and hidden size H as the LM and no more
  layers than it has. A bidirectional model gets its forward direction from the
  LM and a random backward one (one layer only: a second layer reads 2H inputs
  where the LM's read H). A tagger's first layer also reads character features:
  its first E input columns come from the LM, the others stay random.

Then two options change how the copy is trained: ``unfreeze = "gradual"``
trains only the top group (the new head) in epoch 1, one more group from the top
each epoch after (all of them from epoch L + 2 on); ``lr_decay`` = 2.6 gives
each group 1/2.6 of the rate of the group above (discriminative fine-tuning).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from rnnlab.data.text.tokenizers import Tokenizer

UNFREEZE = ("all", "gradual")


@dataclass(frozen=True)
class TransferConfig:
    """``[transfer]``: initialise from a language-model run, and how to fine-tune it."""

    from_lm: str = ""  # an `lm` run directory to start from ("" = random init)
    which: str = "best"  # the LM's weights: "best" or "last" checkpoint
    unfreeze: str = "all"  # "all" layers train from the start, or "gradual" (ULMFiT)
    lr_decay: float = 1.0  # each lower layer group trains at lr / lr_decay^depth (ULMFiT: 2.6)

    def __post_init__(self) -> None:
        if self.unfreeze not in UNFREEZE:
            raise ValueError(f"[transfer] unfreeze: expected one of {list(UNFREEZE)}, "
                             f"got {self.unfreeze!r}")
        if self.which not in ("best", "last"):
            raise ValueError(f"[transfer] which: expected 'best' or 'last', got {self.which!r}")
        if self.lr_decay < 1.0:
            raise ValueError(f"[transfer] lr_decay: expected >= 1, got {self.lr_decay}")


def check_transfer_dir(transfer: TransferConfig) -> None:
    """Before any data is read: the LM run directory exists and is an lm run."""
    if not transfer.from_lm:
        return
    run = Path(transfer.from_lm)
    if not (run / "config.toml").is_file():
        raise FileNotFoundError(f"[transfer] from_lm: {run} is not a run directory "
                                "(no config.toml); train one with `rnnlab lm train`")


def transfer_from_lm(model: nn.Module, tokenizer: Tokenizer, transfer: TransferConfig,
                     train_ids: Sequence[Sequence[int]]) -> dict[str, Any]:
    """Copy the LM's embeddings and recurrent layers into ``model``; what was copied."""
    from rnnlab.tasks.lm import load_lm

    lm = load_lm(transfer.from_lm, transfer.which)
    _check_compatible(model, lm.config["model"], lm.model, transfer.from_lm)
    found = _copy_embeddings(model.embedding, tokenizer, lm.tokenizer, lm.model.embedding)
    counts = Counter(i for ids in train_ids for i in ids)
    covered_tokens = sum(n for i, n in counts.items() if i in found)
    layers = _copy_layers(model.encoder.rnn, lm.model.layers)
    return {
        "from_lm": str(transfer.from_lm), "weights": transfer.which,
        "vocab_size": tokenizer.vocab_size, "types_found": len(found),
        "type_coverage": len(found) / tokenizer.vocab_size,
        "token_coverage": covered_tokens / max(1, sum(counts.values())),
        "layers_copied": layers, "lm_vocab_size": lm.tokenizer.vocab_size,
        "backward_direction": "random" if model.encoder.rnn.bidirectional else None,
    }


def _check_compatible(model: nn.Module, lm_config: Any, lm_model: nn.Module, where: str) -> None:
    c = model.config
    problems = []
    if c.encoder != "rnn":
        problems.append(f"encoder {c.encoder!r} (the LM is a recurrent 'rnn' stack)")
    if c.cell != lm_config.cell:
        problems.append(f"cell {c.cell!r} vs the LM's {lm_config.cell!r}")
    if c.embedding_size != lm_config.embedding_size:
        problems.append(f"embedding_size {c.embedding_size} vs the LM's "
                        f"{lm_config.embedding_size}")
    if c.num_layers > lm_config.num_layers:
        problems.append(f"num_layers {c.num_layers} vs the LM's {lm_config.num_layers}")
    sizes = [layer.hidden_size for layer in lm_model.layers[: c.num_layers]]
    if any(h != c.hidden_size for h in sizes):
        problems.append(f"hidden_size {c.hidden_size} vs the LM's layer sizes {sizes} (a tied LM "
                        "has an E-wide last layer)")
    if c.bidirectional and c.num_layers > 1:
        problems.append("a bidirectional model with more than one layer (layer 2 reads 2H "
                        "inputs, the LM's read H)")
    if problems:
        raise ValueError(f"cannot start from the language model {where}: " + "; ".join(problems)
                         + ". Use the LM's sizes for [model], or no [transfer] from_lm")


@torch.no_grad()
def _copy_embeddings(target: nn.Embedding, tokenizer: Tokenizer, lm_tokenizer: Tokenizer,
                     source: nn.Embedding) -> set[int]:
    """Copy the rows of tokens the LM knows; the set of our ids that were found."""
    lower = getattr(lm_tokenizer, "lowercase", False)
    found = set()
    for i, token in enumerate(tokenizer.vocab):
        j = lm_tokenizer.index.get(token.lower() if lower else token)
        if j is not None and i < target.num_embeddings:
            target.weight[i] = source.weight[j]
            found.add(i)
    return found


@torch.no_grad()
def _copy_layers(rnn: nn.Module, lm_layers: nn.ModuleList) -> int:
    """LM layer l (one direction) -> cell l·D of ``rnn``; returns the layers copied."""
    directions = 2 if rnn.bidirectional else 1
    for layer in range(rnn.num_layers):
        source, target = lm_layers[layer].cells[0], rnn.cells[layer * directions]
        for name, p in source.named_parameters():
            q = getattr(target, name)
            if name == "weight_ih" and q.shape[1] > p.shape[1]:
                q[:, : p.shape[1]] = p  # the word-embedding columns; char columns stay random
            else:
                q.copy_(p)
    return rnn.num_layers


class GradualUnfreezing:
    """Train the top ``epoch + 1`` of the model's layer groups (bottom-up ``layer_groups()``)."""

    def __init__(self, groups: list[list[nn.Parameter]]) -> None:
        self.groups = groups
        self.epoch: int | None = None

    def apply(self, epoch: int) -> None:
        if epoch == self.epoch:
            return
        self.epoch = epoch
        first_trained = max(0, len(self.groups) - 1 - epoch)
        for g, params in enumerate(self.groups):
            for p in params:
                p.requires_grad_(g >= first_trained)
