"""Layers: the loop over time around cells, with an explicit and a fused backend."""

from rnnlab.layers.fused import KernelArgs
from rnnlab.layers.recurrent import Recurrent
from rnnlab.layers.rnn import GRU, LSTM, RNN

__all__ = ["GRU", "LSTM", "RNN", "KernelArgs", "Recurrent"]
