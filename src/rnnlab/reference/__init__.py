"""A NumPy-only reference engine: the course's forward and BPTT equations, executed literally.

Nothing here imports torch (a test checks it). Each file is one concept:

    activations.py      f, f'(from the output), γ = sup|f'|; softmax
    cell.py             parameters in PyTorch layout and the step contract
    elman.py lstm.py gru.py   one step forward, one step backward, the step Jacobian
    layer_norm.py ln_lstm.py ln_gru.py   layer normalisation and the LayerNorm cells
    zoneout.py          zoneout around any cell (masks in, the expectation in evaluation)
    recurrent.py        stacked layers over time, and BPTT: ∂J/∂W = Σ_t ∂J/∂W|_(t)
    language_model.py   embedding, softmax output, J = 1/T Σ_t −log ŷ_t[x_{t+1}], sampling
    optim.py            clipping by norm and by value; SGD, Adagrad, Adam
    tbptt.py            truncated BPTT with carried state, the training loop

With the same float64 weights, losses and every gradient equal PyTorch
autograd on rnnlab's cells and layers to 1e-8 (tests/reference).
"""

from rnnlab.reference.activations import ACTIVATIONS, get_activation, sigmoid, softmax
from rnnlab.reference.elman import ElmanCell
from rnnlab.reference.gru import GRUCell
from rnnlab.reference.language_model import LanguageModel, sample
from rnnlab.reference.ln_gru import LNGRUCell
from rnnlab.reference.ln_lstm import LNLSTMCell
from rnnlab.reference.lstm import LSTMCell
from rnnlab.reference.optim import (
    SGD,
    Adagrad,
    Adam,
    clip_grad_norm,
    clip_grad_value,
    global_norm,
    make_optimizer,
)
from rnnlab.reference.recurrent import CELLS, Recurrent, make_cell
from rnnlab.reference.tbptt import ReferenceTrainConfig, batchify, chunks, train_language_model
from rnnlab.reference.zoneout import ZoneoutCell

__all__ = [
    "ACTIVATIONS",
    "CELLS",
    "SGD",
    "Adagrad",
    "Adam",
    "ElmanCell",
    "GRUCell",
    "LNGRUCell",
    "LNLSTMCell",
    "LSTMCell",
    "LanguageModel",
    "Recurrent",
    "ReferenceTrainConfig",
    "ZoneoutCell",
    "batchify",
    "chunks",
    "clip_grad_norm",
    "clip_grad_value",
    "get_activation",
    "global_norm",
    "make_cell",
    "make_optimizer",
    "sample",
    "sigmoid",
    "softmax",
    "train_language_model",
]
