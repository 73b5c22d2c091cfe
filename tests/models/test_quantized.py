"""Dynamic int8 quantisation of a language model: the torch.nn twin is the same function, the
quantised model is close to it and runs int8 modules; cells without a torch.nn peer are refused."""

from __future__ import annotations

import pytest
import torch

from rnnlab.models.language_model import LanguageModel, LMConfig
from rnnlab.models.quantized import TorchNNLanguageModel, quantize_lm


@pytest.mark.parametrize("cell", ["lstm", "gru", "elman-relu"])
def test_twin_is_exact_and_int8_is_close(cell):
    torch.manual_seed(0)
    model = LanguageModel(LMConfig(cell=cell, embedding_size=16, hidden_size=24,
                                   tie_weights=True), 40).eval()
    tokens = torch.randint(0, 40, (9, 3))
    want, state = model(tokens)
    got, twin_state = TorchNNLanguageModel(model)(tokens)
    torch.testing.assert_close(got, want, rtol=0, atol=1e-6)
    torch.testing.assert_close(twin_state[-1], state[-1], rtol=0, atol=1e-6)
    quantized = quantize_lm(model)
    assert "quantized" in type(quantized.decoder).__module__
    if cell != "elman-relu":  # PyTorch quantises LSTM and GRU layers, not RNN
        assert "quantized" in type(quantized.layers[0]).__module__
    error = (quantized(tokens)[0] - want).abs().max()
    assert 0 < error < 0.05 * want.abs().max()  # int8 weights: close, not equal


def test_cells_without_a_torch_peer_are_refused():
    model = LanguageModel(LMConfig(cell="ln-lstm", embedding_size=4, hidden_size=4), 10)
    with pytest.raises(ValueError, match="needs a cell with a torch.nn peer .* got 'ln-lstm'"):
        quantize_lm(model)
