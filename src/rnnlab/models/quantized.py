"""Dynamic int8 quantisation of a language model for CPU inference.

``torch.ao.quantization.quantize_dynamic`` stores the weights of ``nn.LSTM``,
``nn.GRU`` and ``nn.Linear`` as int8 and quantises the activations on the fly;
it recognises only those torch.nn modules. rnnlab's layers load into torch.nn
unchanged (same names, layouts, gate order), so :func:`quantize_lm` first
rebuilds the model as its torch.nn twin (:class:`TorchNNLanguageModel`, the
same function in eval mode) and then quantises that: LSTM and GRU layers and the
output layer for ``lstm``/``gru`` models, the output layer alone for the Elman
cells (PyTorch has no dynamically quantised RNN). Cells without a torch.nn peer
(LayerNorm, zoneout, sigmoid Elman) are refused. The result is for inference
(evaluation, generation); how much it costs in perplexity and gains in speed
is measured in ``benchmarks/bench_quantize.py`` (docs/deployment.md).
"""

from __future__ import annotations

import warnings
from typing import Any

import torch
from torch import Tensor, nn

PEERS = {"lstm": nn.LSTM, "gru": nn.GRU, "elman-tanh": nn.RNN, "elman-relu": nn.RNN}


class TorchNNLanguageModel(nn.Module):
    """A :class:`~rnnlab.models.language_model.LanguageModel` rebuilt from torch.nn modules
    (embedding, one nn.LSTM/GRU/RNN per layer, linear output); same weights, eval only."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        cell = model.config.cell
        if cell not in PEERS:
            raise ValueError(f"int8 quantisation needs a cell with a torch.nn peer "
                             f"({', '.join(PEERS)}), got {cell!r}")
        self.embedding = nn.Embedding.from_pretrained(model.embedding.weight.detach().clone())
        self.layers = nn.ModuleList()
        for layer in model.layers:
            kwargs = {"nonlinearity": cell.split("-")[1]} if PEERS[cell] is nn.RNN else {}
            twin = PEERS[cell](layer.input_size, layer.hidden_size, **kwargs)
            twin.load_state_dict(layer.state_dict())
            self.layers.append(twin)
        self.decoder = nn.Linear(model.decoder.in_features, model.decoder.out_features)
        self.decoder.load_state_dict(model.decoder.state_dict())
        self.vocab_size = model.vocab_size
        self.eval()

    def forward(self, tokens: Tensor, state: list[Any] | None = None) -> tuple[Tensor, list[Any]]:
        """tokens (T, B) -> logits (T, B, V), state (a list per layer, as LanguageModel's)."""
        x = self.embedding(tokens)  # (T, B, E)
        new = []
        for index, layer in enumerate(self.layers):
            x, s = layer(x, None if state is None else state[index])
            new.append(s)
        return self.decoder(x), new


def quantize_lm(model: nn.Module) -> nn.Module:
    """The int8 dynamically quantised torch.nn twin of a language model (CPU, inference)."""
    twin = TorchNNLanguageModel(model.cpu())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao's deprecation notes (torchao): still works
        return torch.ao.quantization.quantize_dynamic(twin, {nn.LSTM, nn.GRU, nn.Linear},
                                                      dtype=torch.qint8)
