"""One test per error message of the cells' public boundary."""

from __future__ import annotations

import re

import pytest
import torch

from rnnlab.cells import ElmanCell, GRUCell, LSTMCell, RecurrentCell


def raises(exc, text):
    return pytest.raises(exc, match=re.escape(text))


def test_wrong_feature_size():
    with raises(ValueError, "expected input of shape (B, 128), got (20, 64)"):
        GRUCell(128, 8)(torch.randn(20, 64))


def test_wrong_unbatched_size():
    with raises(ValueError, "expected input of shape (128,), got (64,)"):
        ElmanCell(128, 8)(torch.randn(64))


def test_wrong_number_of_dimensions():
    with raises(ValueError, "expected input of shape (B, 4), got (2, 3, 4)"):
        LSTMCell(4, 8)(torch.randn(2, 3, 4))


def test_not_a_tensor():
    with raises(TypeError, "expected input to be a torch.Tensor, got list"):
        ElmanCell(2, 3)([[1.0, 2.0]])


def test_wrong_dtype():
    with raises(
        TypeError,
        "expected input of dtype torch.float32 (the cell's parameters), got torch.float64",
    ):
        GRUCell(4, 8)(torch.randn(2, 4, dtype=torch.float64))


def test_state_shape_mismatch():
    with raises(ValueError, "expected state of shape (20, 128), got (20, 64)"):
        ElmanCell(4, 128)(torch.randn(20, 4), torch.randn(20, 64))


def test_state_batch_mismatch():
    with raises(ValueError, "expected state of shape (3, 8), got (2, 8)"):
        GRUCell(4, 8)(torch.randn(3, 4), torch.randn(2, 8))


def test_lstm_state_shape_mismatch_names_the_part():
    with raises(ValueError, "expected state c of shape (2, 8), got (2, 7)"):
        LSTMCell(4, 8)(torch.randn(2, 4), (torch.randn(2, 8), torch.randn(2, 7)))


def test_lstm_state_must_be_a_pair():
    with raises(TypeError, "expected state to be a tuple (h, c) of tensors, got Tensor"):
        LSTMCell(4, 8)(torch.randn(2, 4), torch.randn(2, 8))


def test_elman_state_must_be_a_tensor():
    with raises(TypeError, "expected state to be a tensor, got a tuple of 2"):
        ElmanCell(4, 8)(torch.randn(2, 4), (torch.randn(2, 8), torch.randn(2, 8)))


def test_state_dtype_mismatch():
    with raises(TypeError, "expected state of dtype torch.float32, got torch.float64"):
        GRUCell(4, 8)(torch.randn(2, 4), torch.randn(2, 8, dtype=torch.float64))


def test_bad_nonlinearity():
    with raises(
        ValueError, "expected nonlinearity to be one of 'tanh', 'relu', 'sigmoid', got 'gelu'"
    ):
        ElmanCell(4, 8, nonlinearity="gelu")


def test_bad_init():
    with raises(ValueError, "expected init to be one of 'default', 'orthogonal', got 'xavier'"):
        GRUCell(4, 8, init="xavier")


@pytest.mark.parametrize("size", [0, -3, 2.5, True])
def test_bad_sizes(size):
    with raises(ValueError, f"expected hidden_size to be a positive int, got {size!r}"):
        LSTMCell(4, size)


def test_forget_bias_without_bias():
    with raises(ValueError, "forget_bias needs bias=True"):
        LSTMCell(4, 8, bias=False, forget_bias=1.0)


def test_forget_bias_without_bias_on_a_gru():
    with raises(ValueError, "forget_bias needs bias=True"):
        GRUCell(4, 8, bias=False, forget_bias=1.0)


def test_forget_bias_on_an_elman_cell():
    with raises(
        ValueError,
        "forget_bias sets the bias of a forget/update gate, and cell 'elman-sigmoid' has none "
        "(gates h); leave forget_bias=None",
    ):
        RecurrentCell("elman-sigmoid", 4, 8, forget_bias=1.0)


def test_unknown_cell_name():
    with raises(ValueError, "unknown cell 'gru_cell': expected one of elman-tanh, elman-relu, "
                "elman-sigmoid, lstm, gru, ln-lstm, ln-gru, zoneout-lstm, zoneout-gru; "
                "did you mean 'gru'?"):
        RecurrentCell("gru_cell", 4, 8)
