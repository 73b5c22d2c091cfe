"""The encoder registry: "rnn" over any registered cell, config checks, causality."""

from __future__ import annotations

import pytest
import torch

from rnnlab.models.encoders import ENCODERS, EncoderConfig, build_encoder, register_encoder


def test_rnn_encoder_is_the_recurrent_layer_with_lengths():
    torch.manual_seed(0)
    encoder = build_encoder(EncoderConfig(cell="gru", hidden_size=8, bidirectional=True), 4)
    x, lengths = torch.randn(6, 3, 4), torch.tensor([6, 2, 4])
    out, state = encoder(x, lengths=lengths)
    assert state.shape == (2, 3, 8)  # (L·D, B, H)
    assert out.shape == (6, 3, 16) and encoder.output_size == 16 and not encoder.causal
    expected, _ = encoder.rnn(x, lengths=lengths)
    torch.testing.assert_close(out, expected)
    assert out[2:, 1].abs().max() == 0  # nothing past a sequence's end


def test_config_errors_name_the_field():
    with pytest.raises(ValueError, match="unknown encoder 'rnm'.*did you mean 'rnn'"):
        EncoderConfig(encoder="rnm")
    with pytest.raises(ValueError, match="did you mean 'elman-tanh'"):
        EncoderConfig(cell="elman")
    with pytest.raises(ValueError, match="dropout in \\[0, 1\\)"):
        EncoderConfig(dropout=1.5)
    with pytest.raises(ValueError, match="has none"):
        EncoderConfig(cell="elman-relu", forget_bias=1.0)


def test_causal_models_refuse_an_encoder_that_sees_the_future():
    with pytest.raises(ValueError, match="sees the future"):
        build_encoder(EncoderConfig(bidirectional=True), 4, causal=True)
    assert build_encoder(EncoderConfig(), 4, causal=True).causal


def test_registered_encoders_are_built_by_name():
    class Mean(torch.nn.Module):
        causal = False

        def __init__(self, config, input_size):
            super().__init__()
            self.output_size = input_size

        def forward(self, x, lengths=None, state=None):
            return x.cumsum(0), None

    register_encoder("test-mean", Mean)
    try:
        with pytest.raises(ValueError, match="already registered"):
            register_encoder("test-mean", Mean)
        encoder = build_encoder(EncoderConfig(encoder="test-mean"), 3)
        assert encoder(torch.ones(2, 1, 3))[0][-1].tolist() == [[2.0, 2.0, 2.0]]
    finally:
        del ENCODERS["test-mean"]
