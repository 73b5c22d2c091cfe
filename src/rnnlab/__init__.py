"""rnnlab: recurrent neural networks on PyTorch, from their equations to fast kernels.

The public names below are imported lazily, so ``import rnnlab`` stays cheap
(the command line starts quickly) and each layer of the package is only loaded
when it is used.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # cells: one time step, and the registry of cell kinds
    "RecurrentCell": "rnnlab.cells",
    "CellSpec": "rnnlab.cells",
    "register_cell": "rnnlab.cells",
    "get_cell": "rnnlab.cells",
    "cell_names": "rnnlab.cells",
    "ElmanCell": "rnnlab.cells",
    "LSTMCell": "rnnlab.cells",
    "GRUCell": "rnnlab.cells",
    # layers: the loop over time
    "RNN": "rnnlab.layers",
    "LSTM": "rnnlab.layers",
    "GRU": "rnnlab.layers",
    "Recurrent": "rnnlab.layers",
    # data: time-series readers
    "read_inmet": "rnnlab.data.inmet",
    # language models: text in, the model, text out
    "load_corpus": "rnnlab.data.text",
    "WordTokenizer": "rnnlab.data.text",
    "CharTokenizer": "rnnlab.data.text",
    "load_tokenizer": "rnnlab.data.text",
    "LanguageModel": "rnnlab.models.language_model",
    "LMConfig": "rnnlab.models.language_model",
    "SamplingConfig": "rnnlab.generation",
    "generate": "rnnlab.generation",
    "beam_search": "rnnlab.generation",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'rnnlab' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # cache: later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
