"""One test per error message at the layers' public boundary."""

from __future__ import annotations

import re

import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence

from rnnlab.cells import GRUCell
from rnnlab.layers import GRU, LSTM, RNN, Recurrent


def raises(exc, text):
    return pytest.raises(exc, match=re.escape(text))


BACKENDS = ["explicit", "fused"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_wrong_feature_size(backend):
    with raises(ValueError, "expected input of shape (T, B, 128) or (T, 128), got (35, 20, 64)"):
        LSTM(128, 8, backend=backend)(torch.randn(35, 20, 64))


@pytest.mark.parametrize("backend", BACKENDS)
def test_wrong_feature_size_batch_first(backend):
    with raises(ValueError, "expected input of shape (B, T, 4) or (T, 4), got (2, 3, 5)"):
        GRU(4, 8, batch_first=True, backend=backend)(torch.randn(2, 3, 5))


@pytest.mark.parametrize("backend", BACKENDS)
def test_wrong_number_of_dimensions(backend):
    with raises(ValueError, "expected input of shape (T, B, 4) or (T, 4), got (4,)"):
        RNN(4, 8, backend=backend)(torch.randn(4))


@pytest.mark.parametrize("backend", BACKENDS)
def test_wrong_dtype(backend):
    msg = "expected input of dtype torch.float32 (the layer's parameters), got torch.float64"
    with raises(TypeError, msg):
        RNN(4, 8, backend=backend)(torch.randn(3, 2, 4, dtype=torch.float64))


def test_not_a_tensor():
    with raises(TypeError, "expected input to be a torch.Tensor or PackedSequence, got list"):
        GRU(1, 2)([[1.0]])


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_time_steps(backend):
    with raises(ValueError, "expected at least one time step, got input of shape (0, 2, 4)"):
        GRU(4, 8, backend=backend)(torch.randn(0, 2, 4))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("lengths", "got"), [([5, 0], "min 0, max 5"), ([6, 2], "min 2, max 6")])
def test_lengths_out_of_range(backend, lengths, got):
    with raises(ValueError, f"expected lengths in [1, 5] (the number of time steps), got {got}"):
        LSTM(4, 8, backend=backend)(torch.randn(5, 2, 4), lengths=lengths)


@pytest.mark.parametrize("backend", BACKENDS)
def test_lengths_wrong_shape(backend):
    with raises(ValueError, "expected lengths of shape (2,), got (3,)"):
        GRU(4, 8, backend=backend)(torch.randn(5, 2, 4), lengths=torch.tensor([1, 2, 3]))


def test_lengths_float():
    with raises(TypeError, "expected integer lengths, got a tensor of dtype torch.float32"):
        GRU(4, 8)(torch.randn(5, 2, 4), lengths=torch.tensor([1.0, 2.0]))


def test_lengths_wrong_type():
    with raises(
        TypeError,
        "expected lengths as a tensor or list of ints, or a boolean padding mask, got str",
    ):
        GRU(4, 8)(torch.randn(5, 2, 4), lengths="5")


def test_mask_wrong_shape():
    with raises(ValueError, "expected a padding mask of shape (T, B) = (5, 2), got (2, 5)"):
        GRU(4, 8)(torch.randn(5, 2, 4), lengths=torch.ones(2, 5, dtype=torch.bool))


def test_mask_with_holes():
    mask = torch.ones(5, 2, dtype=torch.bool)
    mask[1, 0] = False
    with raises(
        ValueError, "expected a padding mask whose True entries come first in every sequence"
    ):
        GRU(4, 8)(torch.randn(5, 2, 4), lengths=mask)


def test_mask_with_empty_sequence():
    mask = torch.ones(5, 2, dtype=torch.bool)
    mask[:, 1] = False
    with raises(
        ValueError, "expected at least one valid step in every sequence of the mask, got 0"
    ):
        GRU(4, 8)(torch.randn(5, 2, 4), lengths=mask)


@pytest.mark.parametrize("backend", BACKENDS)
def test_lengths_with_unbatched_input(backend):
    with raises(ValueError, "expected a batched input (3-D) when lengths are given, got 2-D"):
        GRU(4, 8, backend=backend)(torch.randn(5, 4), lengths=[5])


@pytest.mark.parametrize("backend", BACKENDS)
def test_lengths_with_packed_input(backend):
    x = pack_padded_sequence(torch.randn(5, 2, 4), [5, 3])
    with raises(ValueError, "expected lengths=None with a PackedSequence input"):
        GRU(4, 8, backend=backend)(x, lengths=[5, 3])


@pytest.mark.parametrize("backend", BACKENDS)
def test_packed_wrong_feature_size(backend):
    x = pack_padded_sequence(torch.randn(5, 2, 3), [5, 3])
    with raises(ValueError, "expected packed data of shape (N, 4), got (8, 3)"):
        GRU(4, 8, backend=backend)(x)


@pytest.mark.parametrize("backend", BACKENDS)
def test_state_shape_mismatch(backend):
    with raises(
        ValueError, "expected state of shape (4, 2, 8) (num_layers·D, B, H), got (2, 2, 8)"
    ):
        GRU(4, 8, 2, bidirectional=True, backend=backend)(
            torch.randn(5, 2, 4), torch.zeros(2, 2, 8)
        )


@pytest.mark.parametrize("backend", BACKENDS)
def test_lstm_state_part_mismatch(backend):
    state = (torch.zeros(1, 2, 8), torch.zeros(1, 3, 8))
    with raises(
        ValueError, "expected state c of shape (1, 2, 8) (num_layers·D, B, H), got (1, 3, 8)"
    ):
        LSTM(4, 8, backend=backend)(torch.randn(5, 2, 4), state)


@pytest.mark.parametrize("backend", BACKENDS)
def test_lstm_state_must_be_a_pair(backend):
    with raises(TypeError, "expected state to be a tuple (h, c) of tensors, got Tensor"):
        LSTM(4, 8, backend=backend)(torch.randn(5, 2, 4), torch.zeros(1, 2, 8))


def test_gru_state_must_be_a_tensor():
    with raises(TypeError, "expected state to be a tensor, got a tuple of 2"):
        GRU(4, 8)(torch.randn(5, 2, 4), (torch.zeros(1, 2, 8), torch.zeros(1, 2, 8)))


def test_state_dtype_mismatch():
    with raises(TypeError, "expected state of dtype torch.float32, got torch.float64"):
        RNN(4, 8)(torch.randn(5, 2, 4), torch.zeros(1, 2, 8, dtype=torch.float64))


def test_fused_impossible_for_a_custom_cell():
    msg = (
        "backend='fused' is not available for GRUCell: no fused kernel computes its "
        "equations; use backend='explicit' or 'auto'"
    )
    with raises(ValueError, msg):
        Recurrent(GRUCell, 4, 8, backend="fused")
    assert Recurrent(GRUCell, 4, 8).backend_used == "explicit"


def test_unknown_backend():
    with raises(
        ValueError,
        "expected backend to be one of 'auto', 'explicit', 'fused', 'sequence', got 'cudnn'",
    ):
        LSTM(4, 8, backend="cudnn")


def test_unknown_nonlinearity():
    with raises(
        ValueError, "expected nonlinearity to be one of 'tanh', 'relu', 'sigmoid', got 'elu'"
    ):
        RNN(4, 8, nonlinearity="elu")


@pytest.mark.parametrize("dropout", [-0.1, 1.5])
def test_dropout_out_of_range(dropout):
    with raises(ValueError, f"expected dropout in [0, 1], got {dropout}"):
        GRU(4, 8, 2, dropout=dropout)


def test_bad_num_layers():
    with raises(ValueError, "expected num_layers to be a positive int, got 0"):
        LSTM(4, 8, 0)


def test_forget_bias_without_bias():
    with raises(ValueError, "forget_bias needs bias=True"):
        LSTM(4, 8, bias=False, forget_bias=1.0)


def test_recurrent_needs_a_name_or_a_callable():
    with raises(
        TypeError,
        "expected cell to be a cell name, a CellSpec or a callable (input_size, hidden_size) "
        "-> cell, got 3",
    ):
        Recurrent(3, 4, 8)


def test_unknown_cell_name_suggests_the_registry_name():
    with raises(
        ValueError,
        "unknown cell 'elman_sigmoid': expected one of elman-tanh, elman-relu, elman-sigmoid, "
        "lstm, gru, ln-lstm, ln-gru, zoneout-lstm, zoneout-gru; did you mean 'elman-sigmoid'?",
    ):
        Recurrent("elman_sigmoid", 4, 8)


def test_forget_bias_on_an_elman_layer():
    with raises(ValueError, "forget_bias sets the bias of a forget/update gate, and cell "
                "'elman-tanh' has none (gates h); leave forget_bias=None"):
        Recurrent("elman-tanh", 4, 8, forget_bias=1.0)


def test_forget_bias_without_bias_on_a_gru():
    with raises(ValueError, "forget_bias needs bias=True"):
        GRU(4, 8, bias=False, forget_bias=1.0)


@pytest.mark.parametrize("p", [-0.1, 1.0])
def test_weight_drop_out_of_range(p):
    with raises(ValueError, f"expected weight_drop in [0, 1), got {p}"):
        LSTM(4, 8, weight_drop=p)


@pytest.mark.parametrize(
    ("option", "shown"),
    [({"init": "orthogonal"}, "init='orthogonal'"), ({"forget_bias": 1.0}, "forget_bias=1.0"),
     ({"weight_drop": 0.5}, "weight_drop=0.5"), ({"bias": False}, "bias=False")],
)
def test_registry_options_refused_for_a_custom_cell(option, shown):
    with raises(
        ValueError,
        "expected bias, init, forget_bias and weight_drop at their defaults with a custom cell "
        f"(they configure registry cells; configure your cell's constructor), got {shown}",
    ):
        Recurrent(GRUCell, 4, 8, **option)


def test_recurrent_cell_without_contract():
    with raises(
        TypeError, "expected cell objects with 'init_state' (the cell contract), got Linear"
    ):
        Recurrent(torch.nn.Linear, 4, 8)
