"""Optimizers: SGD, Adam, AdamW (PyTorch's) and NT-ASGD (Merity et al. 2017).

NT-ASGD is plain SGD until the validation loss stops improving in a
non-monotone sense (worse than the best of all evaluations but the last n);
from then on it also keeps the running average of the iterates,

    θ̄_k = θ̄_{k-1} + (θ_k − θ̄_{k-1}) / k,      k = steps since the trigger,

and the averaged weights θ̄ are the ones evaluated and kept as "best".
Averaging smooths out SGD's noise late in training (Polyak & Juditsky 1992).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

import torch
from torch import nn
from torch.optim import Optimizer

from rnnlab.training.config import TrainConfig


class NTASGD(Optimizer):
    """SGD that, once ``trigger()`` is called, also averages its iterates (state ``ax``)."""

    def __init__(self, params: Iterable, lr: float, weight_decay: float = 0.0,
                 momentum: float = 0.0) -> None:
        if lr <= 0:
            raise ValueError(f"lr: expected > 0, got {lr}")
        defaults = dict(lr=lr, weight_decay=weight_decay, momentum=momentum,
                        averaging=False, averaged_steps=0)
        super().__init__(params, defaults)

    @property
    def averaging(self) -> bool:
        return bool(self.param_groups[0]["averaging"])

    def trigger(self) -> None:
        """Start averaging from the next step on (the non-monotone condition was met)."""
        for group in self.param_groups:
            group["averaging"] = True
            group["averaged_steps"] = 0
            for p in group["params"]:
                self.state[p]["ax"] = torch.zeros_like(p, memory_format=torch.preserve_format)

    @torch.no_grad()
    def step(self, closure=None):  # type: ignore[override]
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, wd, mom = group["lr"], group["weight_decay"], group["momentum"]
            if group["averaging"]:
                group["averaged_steps"] += 1
            k = group["averaged_steps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                d_p = p.grad if wd == 0 else p.grad.add(p, alpha=wd)  # g + λθ
                if mom != 0:
                    state = self.state[p]
                    if "momentum_buffer" not in state:
                        state["momentum_buffer"] = d_p.clone()
                    else:
                        state["momentum_buffer"].mul_(mom).add_(d_p)
                    d_p = state["momentum_buffer"]
                p.add_(d_p, alpha=-lr)  # θ_k = θ_{k-1} − η g
                if group["averaging"]:
                    ax = self.state[p]["ax"]
                    ax.add_(p - ax, alpha=1.0 / k)  # θ̄_k = θ̄_{k-1} + (θ_k − θ̄_{k-1}) / k
        return loss

    @contextmanager
    def averaged_weights(self) -> Iterator[None]:
        """Inside the block the parameters hold θ̄ (if averaging), restored afterwards."""
        if not self.averaging or self.param_groups[0]["averaged_steps"] == 0:
            yield
            return
        swapped = []
        with torch.no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if "ax" in self.state[p]:
                        saved = p.detach().clone()
                        p.copy_(self.state[p]["ax"])
                        swapped.append((p, saved))
        try:
            yield
        finally:
            with torch.no_grad():
                for p, saved in swapped:
                    p.copy_(saved)


def averaged(optimizer: Optimizer) -> Any:
    """A context in which the model holds the weights to evaluate and keep as best:
    NT-ASGD's averaged ones once averaging started, the plain ones otherwise."""
    if isinstance(optimizer, NTASGD):
        return optimizer.averaged_weights()
    return nullcontext()


def maybe_trigger_ntasgd(optimizer: Optimizer, valid_losses: list[float], nonmono: int) -> bool:
    """Start NT-ASGD's averaging once the validation losses say so; True if it started now."""
    if not isinstance(optimizer, NTASGD) or optimizer.averaging or \
            not should_trigger_ntasgd(valid_losses, nonmono):
        return False
    optimizer.trigger()
    return True


def should_trigger_ntasgd(valid_losses: list[float], nonmono: int) -> bool:
    """Merity et al. 2017: trigger if the newest loss is worse than the best one older
    than the last ``nonmono`` evaluations."""
    if len(valid_losses) <= nonmono:
        return False
    return valid_losses[-1] > min(valid_losses[:-nonmono])


# what TrainConfig (and the model's param_groups) set: a resumed run uses the current values
HYPERPARAMETERS = ("lr", "weight_decay", "momentum", "betas", "lr_scale")


def load_optimizer_state(optimizer: Optimizer, state_dict: dict[str, Any]) -> None:
    """Load a checkpoint's optimizer state but keep the hyperparameters ``optimizer`` was
    built with (from the current config): a resumed run uses its config's lr, weight
    decay, momentum and betas, never silently the checkpoint's."""
    configured = [{k: g[k] for k in HYPERPARAMETERS if k in g} for g in optimizer.param_groups]
    optimizer.load_state_dict(state_dict)
    for group, values in zip(optimizer.param_groups, configured, strict=True):
        group.update(values)


def parameter_groups(model: nn.Module, lr: float) -> list[dict[str, Any]]:
    """The optimizer's parameter groups: one, or the model's own.

    A model may define ``param_groups() -> [{"params": [...], "lr_scale": s}, …]``
    (discriminative learning rates, ULMFiT): group g then trains at lr·s_g, and
    the schedule scales every group alike (``Schedule`` keeps the ratios). The
    trainer stays model-agnostic: it only reads this optional hook. Every trainable
    parameter must be in exactly one group.
    """
    hook = getattr(model, "param_groups", None)
    if not callable(hook):
        groups = [{"params": list(model.parameters()), "lr_scale": 1.0}]
    else:
        groups = [dict(g) for g in hook()]
        listed = [id(p) for g in groups for p in g["params"]]
        if len(listed) != len(set(listed)) or set(listed) != {id(p) for p in model.parameters()}:
            raise ValueError("model.param_groups() must list every parameter exactly once")
    out = []
    for group in groups:
        params = [p for p in group["params"] if p.requires_grad]
        scale = float(group.get("lr_scale", 1.0))
        if params:
            out.append({**group, "params": params, "lr_scale": scale, "lr": lr * scale})
    if not out:
        raise ValueError("the task's model has no trainable parameters")
    return out


def build_optimizer(model: nn.Module, config: TrainConfig) -> Optimizer:
    """The optimizer named by ``config.optimizer`` over ``model``'s trainable parameters
    (in the model's own groups, if it defines ``param_groups``)."""
    params = parameter_groups(model, config.lr)
    if config.optimizer == "sgd":
        return torch.optim.SGD(params, lr=config.lr, momentum=config.momentum,
                               weight_decay=config.weight_decay)
    if config.optimizer == "adam":
        return torch.optim.Adam(params, lr=config.lr, betas=config.betas,
                                weight_decay=config.weight_decay)
    if config.optimizer == "adamw":
        return torch.optim.AdamW(params, lr=config.lr, betas=config.betas,
                                 weight_decay=config.weight_decay)
    if config.optimizer == "ntasgd":
        return NTASGD(params, lr=config.lr, weight_decay=config.weight_decay,
                      momentum=config.momentum)
    raise ValueError(f"unknown optimizer {config.optimizer!r}")
