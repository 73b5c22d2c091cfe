"""Recurrent around custom cells: any callable (input_size, hidden_size) -> cell that follows
the cell contract runs the explicit loop; here rnnlab's own cell classes, checked against
torch.nn on copied weights."""

from __future__ import annotations

import functools

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnnlab.cells import ElmanCell, GRUCell, LSTMCell
from rnnlab.layers import RNN, Recurrent

PEERS = {"lstm": nn.LSTM, "gru": nn.GRU, "tanh": nn.RNN}


def close(a, b, atol=1e-5):
    pairs = zip(a, b, strict=True) if isinstance(a, tuple) else [(a, b)]
    for p, q in pairs:
        torch.testing.assert_close(p, q, rtol=0, atol=atol)


def copy_into_cells(recurrent, ref):
    dirs = recurrent.num_directions
    for k, cell in enumerate(recurrent.cells):
        sfx = f"_l{k // dirs}" + ("_reverse" if k % dirs else "")
        cell.load_state_dict({n: getattr(ref, n + sfx) for n in cell.state_dict()})


@pytest.mark.parametrize(
    ("cell", "kind"), [(LSTMCell, "lstm"), (GRUCell, "gru"), (ElmanCell, "tanh")]
)
def test_recurrent_with_cells_matches_torch(cell, kind):
    ref = PEERS[kind](3, 4, 2, bidirectional=True, batch_first=True)
    layer = Recurrent(cell, 3, 4, 2, bidirectional=True, batch_first=True)
    copy_into_cells(layer, ref)
    assert layer.backend_used == "explicit" and "backend='explicit'" in repr(layer)
    x = torch.randn(3, 5, 3, requires_grad=True)
    lengths = [4, 5, 2]
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    want_out, want_state = ref(packed)
    want_out, _ = pad_packed_sequence(want_out, batch_first=True, total_length=5)
    out, state = layer(x, lengths=lengths)
    close(out, want_out)
    close(state, want_state)
    g = torch.autograd.grad(out.sum(), x)[0]
    close(g, torch.autograd.grad(want_out.sum(), x)[0])


def test_recurrent_accepts_any_callable_and_matches_rnn_sigmoid():
    layer = Recurrent(functools.partial(ElmanCell, nonlinearity="sigmoid"), 3, 4, 2)
    rnn = RNN(3, 4, 2, "sigmoid")
    copy_into_cells(layer, rnn)
    x = torch.randn(5, 2, 3)
    close(layer(x, lengths=[3, 5]), rnn(x, lengths=[3, 5]), atol=1e-6)
    assert [c.input_size for c in layer.cells] == [3, 4]


def test_custom_cells_keep_their_own_state_dict_names():
    layer = Recurrent(GRUCell, 3, 4)
    assert layer.spec is None and next(iter(layer.state_dict())) == "cells.0.weight_ih"
    with pytest.raises(TypeError, match="forward_weights\\(\\) is for registry cells"):
        layer.forward_weights()
