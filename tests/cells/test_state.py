"""The state helpers: map_state, select_rows, detach_state, state_vector and its inverse."""

from __future__ import annotations

from collections import namedtuple

import pytest
import torch

import rnnlab
from rnnlab.cells.state import (
    detach_state,
    from_state_vector,
    map_state,
    select_rows,
    state_vector,
    zero_state,
)


def test_select_rows_on_nested_states():
    h = torch.arange(6.0).view(1, 3, 2)
    picked = select_rows([(h, h + 10), h], torch.tensor([2, 0]))
    assert picked[0][0][0, :, 0].tolist() == [4.0, 0.0] and picked[1].shape == (1, 2, 2)
    assert select_rows(h[0], torch.tensor([1]), dim=0).tolist() == [[2.0, 3.0]]


def test_map_state_keeps_every_structure_and_pairs_states():
    Pair = namedtuple("Pair", "h c")
    a = {"x": Pair(torch.ones(2), torch.zeros(2)), "y": [torch.ones(1)], "z": None}
    out = map_state(lambda s, t: s + t, a, a)
    assert isinstance(out["x"], Pair) and out["x"].h.tolist() == [2.0, 2.0]
    assert isinstance(out["y"], list) and out["z"] is None
    with pytest.raises(TypeError, match="made of tensors .* got str"):
        map_state(lambda s: s, "h")


def test_detach_state_cuts_the_graph_and_keeps_the_values():
    h = torch.ones(1, 2, 3, requires_grad=True) * 2
    out = detach_state((h, [h]))
    assert not out[0].requires_grad and torch.equal(out[1][0], h.detach())
    assert detach_state(None) is None


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_state_vector_round_trip_on_a_layer(cell):
    layer = rnnlab.Recurrent(cell, 3, 4, 2)
    _, state = layer(torch.randn(5, 2, 3))
    s = state_vector(state)
    parts = 2 if cell == "lstm" else 1
    assert s.shape == (2, parts * 2 * 4)
    back = from_state_vector(s, layer)
    for a, b in zip(back if parts == 2 else (back,), state if parts == 2 else (state,),
                    strict=True):
        assert torch.equal(a, b)
    zeros = zero_state(torch.nn.LSTM(3, 4, 2), 5, s)
    assert [z.shape for z in zeros] == [(2, 5, 4)] * 2 and not any(z.any() for z in zeros)
