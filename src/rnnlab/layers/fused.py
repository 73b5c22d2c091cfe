"""PyTorch's native recurrent kernels, called on rnnlab's parameter tensors.

``torch._VF.rnn_tanh / rnn_relu / lstm / gru`` are the functions ``torch.nn.RNN
/ LSTM / GRU`` themselves call: cuDNN on a GPU, ATen (oneDNN where built) on
the CPU. They take the weights as one flat list in PyTorch's order — for each
layer l and direction d: W_ih, W_hh, b_ih, b_hh — which is exactly what
:meth:`TorchLikeRNN.forward_weights` returns, so any transformation of those
tensors (weight drop …) runs in the fused kernel too. PyTorch has no sigmoid
kernel; :mod:`rnnlab.layers.sigmoid_kernel` runs the sigmoid Elman network on
the tanh kernel through an exact identity.
"""

from __future__ import annotations

from torch import _VF, Tensor
from torch.nn.utils.rnn import PackedSequence

from rnnlab.cells.base import State
from rnnlab.layers.sigmoid_kernel import rnn_sigmoid

# mode -> kernel; the sigmoid Elman network runs the tanh kernel through σ(a) = (1 + tanh(a/2)) / 2
KERNELS = {"tanh": _VF.rnn_tanh, "relu": _VF.rnn_relu, "lstm": _VF.lstm, "gru": _VF.gru}
FUSED_MODES = (*KERNELS, "sigmoid")


def _run(
    mode: str,
    x: Tensor,
    batch_sizes: Tensor | None,
    hx: State,
    weights: list[Tensor],
    has_bias: bool,
    num_layers: int,
    dropout: float,
    training: bool,
    bidirectional: bool,
    batch_first: bool,
) -> tuple[Tensor, ...]:
    """One kernel call in either of its forms (padded, or packed with ``batch_sizes``)."""
    common = (weights, has_bias, num_layers, dropout, training, bidirectional)
    if mode == "sigmoid":
        return rnn_sigmoid(x, batch_sizes, hx, *common, batch_first)
    if batch_sizes is None:
        return KERNELS[mode](x, hx, *common, batch_first)
    return KERNELS[mode](x, batch_sizes, hx, *common)


def _state_out(mode: str, result: tuple[Tensor, ...]) -> State:
    return (result[1], result[2]) if mode == "lstm" else result[1]


def fused_padded(
    mode: str,
    x: Tensor,
    hx: State,
    weights: list[Tensor],
    has_bias: bool,
    num_layers: int,
    dropout: float,
    training: bool,
    bidirectional: bool,
    batch_first: bool,
) -> tuple[Tensor, State]:
    """x (T, B, I) (or (B, T, I)) and hx (L·D, B, H) -> (output, final state)."""
    result = _run(
        mode,
        x,
        None,
        hx,
        weights,
        has_bias,
        num_layers,
        dropout,
        training,
        bidirectional,
        batch_first,
    )
    return result[0], _state_out(mode, result)


def fused_packed(
    mode: str,
    x: PackedSequence,
    hx: State,
    weights: list[Tensor],
    has_bias: bool,
    num_layers: int,
    dropout: float,
    training: bool,
    bidirectional: bool,
) -> tuple[PackedSequence, State]:
    """A packed batch; ``hx`` and the returned state are in the caller's batch order."""
    order, undo = x.sorted_indices, x.unsorted_indices
    if order is not None:  # the kernel sees the batch sorted by decreasing length
        hx = _permute(hx, order)
    result = _run(
        mode,
        x.data,
        x.batch_sizes,
        hx,
        weights,
        has_bias,
        num_layers,
        dropout,
        training,
        bidirectional,
        False,
    )
    out = PackedSequence(result[0], x.batch_sizes, order, undo)
    state = _state_out(mode, result)
    return out, (state if undo is None else _permute(state, undo))


def _permute(state: State, index: Tensor) -> State:
    if isinstance(state, Tensor):
        return state.index_select(1, index)
    return tuple(s.index_select(1, index) for s in state)
