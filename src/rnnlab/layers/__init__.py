"""Layers: the loop over time around cells, with an explicit and a fused backend."""

from rnnlab.layers.base import SequenceLayer
from rnnlab.layers.recurrent import Recurrent
from rnnlab.layers.rnn import GRU, LSTM, RNN
from rnnlab.layers.torchlike import TorchLikeRNN

__all__ = ["GRU", "LSTM", "RNN", "Recurrent", "SequenceLayer", "TorchLikeRNN"]
