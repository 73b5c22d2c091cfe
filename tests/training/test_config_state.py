"""TrainConfig <-> TOML, and detach_state on every state shape."""

from __future__ import annotations

from collections import namedtuple

import pytest
import torch

from rnnlab.config import apply_overrides, from_dict, load_toml, save_toml, to_dict
from rnnlab.training import TrainConfig, detach_state
from rnnlab.training.state import state_from_tensors, state_to_tensors


def test_config_round_trips_through_toml(tmp_path):
    config = TrainConfig(epochs=3, max_steps=100, optimizer="sgd", lr=20.0, clip_norm=0.25,
                         betas=(0.8, 0.99), schedule="plateau", carry_state=True, bptt_k2=70,
                         precision="bf16", eval_every=50)
    save_toml({"task": {"kind": "lm"}, "train": to_dict(config)}, tmp_path / "c.toml")
    data = load_toml(tmp_path / "c.toml")
    assert from_dict(TrainConfig, data["train"]) == config
    data = apply_overrides(data, ["train.lr=0.5", "train.clip_norm=1"])
    changed = from_dict(TrainConfig, data["train"])
    assert changed.lr == 0.5 and changed.clip_norm == 1.0 and isinstance(changed.clip_norm, float)
    assert from_dict(TrainConfig, {}) == TrainConfig()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"optimizer": "rmsprop"}, "train.optimizer: expected one of"),
    ({"lr": 0.0}, "train.lr: expected a number > 0, got 0.0"),
    ({"precision": "fp8"}, "train.precision"),
    ({"clip_norm": -1.0}, "train.clip_norm"),
    ({"betas": (0.9, 1.5)}, "train.betas"),
    ({"nonfinite": "ignore"}, "train.nonfinite"),
    ({"lr": 0.1, "min_lr": 0.5}, "min_lr"),
])
def test_bad_config_values_say_what_was_expected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**kwargs)


def test_detach_state_keeps_values_and_structure_and_cuts_the_graph():
    w = torch.ones(2, requires_grad=True)
    h = w * 2
    Pair = namedtuple("Pair", "h c")
    for state in (h, (h, h * 3), [h, {"c": h + 1}], Pair(h, h), {"a": (h,), "b": None}):
        out = detach_state(state)
        flat_in = _leaves(state)
        flat_out = _leaves(out)
        assert type(out) is type(state)
        assert all(not t.requires_grad for t in flat_out)
        assert all(torch.equal(a, b) for a, b in zip(flat_in, flat_out, strict=True))
    assert detach_state(None) is None
    with pytest.raises(TypeError, match="expected a recurrent state made of tensors"):
        detach_state("h")


def test_state_to_tensors_round_trip():
    state = ({"h": torch.randn(2, 3)}, [torch.randn(1), None])
    tensors, skeleton = state_to_tensors(state)
    back = state_from_tensors(skeleton, tensors)
    assert torch.equal(back[0]["h"], state[0]["h"]) and back[1][1] is None


def _leaves(state):
    if isinstance(state, torch.Tensor):
        return [state]
    if isinstance(state, dict):
        return [t for v in state.values() for t in _leaves(v)]
    if isinstance(state, (tuple, list)):
        return [t for v in state for t in _leaves(v)]
    return []


@pytest.mark.parametrize("field", ["lr", "weight_decay", "momentum", "clip_norm", "min_lr"])
def test_nan_and_inf_are_refused_from_python_too(field):
    for value in (float("nan"), float("inf")):
        with pytest.raises(ValueError, match=rf"train.{field}: expected a finite number"):
            TrainConfig(**{field: value})
