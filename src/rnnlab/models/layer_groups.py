"""Parameter groups from the bottom of a model to its top: discriminative learning rates.

A transfer-learning model (ULMFiT, Howard & Ruder 2018) trains its layers at
different rates: the top (the new head) at η, each group below at η / decay
(decay 2.6 in ULMFiT), so the pretrained lower layers move least. A model lists
its groups bottom-up (``layer_groups()``: embeddings, recurrent layer 1 … L,
head) and exposes ``param_groups()``, which the trainer's optimizer reads
(:func:`rnnlab.training.optim.parameter_groups`): one group per layer group,
``lr_scale`` = 1 / decay^(distance from the top).
"""

from __future__ import annotations

from typing import Any

from torch import nn


def encoder_layer_groups(encoder: nn.Module) -> list[list[nn.Parameter]]:
    """The encoder's parameters per stacked layer (a recurrent encoder: cells l·D … l·D+D−1),
    or one group for an encoder without ``rnn.cells``."""
    rnn = getattr(encoder, "rnn", None)
    cells = getattr(rnn, "cells", None)
    if cells is None:
        return [list(encoder.parameters())]
    directions = 2 if rnn.bidirectional else 1
    return [[p for d in range(directions) for p in cells[layer * directions + d].parameters()]
            for layer in range(rnn.num_layers)]


def discriminative_groups(groups: list[list[nn.Parameter]], decay: float
                          ) -> list[dict[str, Any]]:
    """Optimizer groups for ``groups`` (bottom-up): lr_scale = decay^−(depth from the top)."""
    if decay < 1.0:
        raise ValueError(f"expected lr decay >= 1 (1: one rate for all), got {decay}")
    top = len(groups) - 1
    return [{"params": params, "lr_scale": decay ** -(top - g)}
            for g, params in enumerate(groups) if params]
