"""PyTorch's native recurrent kernels, called on rnnlab's parameter tensors.

``torch._VF.rnn_tanh / rnn_relu / lstm / gru`` are the functions ``torch.nn.RNN
/ LSTM / GRU`` themselves call: cuDNN on a GPU, ATen (oneDNN where built) on
the CPU. They take the weights as one flat list in PyTorch's order — for each
layer l and direction d: W_ih, W_hh, b_ih, b_hh — built from what
:meth:`Recurrent.forward_weights` returns, so any transformation of those
tensors (weight drop …) runs in the fused kernel too. PyTorch has no sigmoid
kernel; :mod:`rnnlab.layers.sigmoid_kernel` runs the sigmoid Elman network on
the tanh kernel through an exact identity.
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import _VF, Tensor
from torch.nn.utils.rnn import PackedSequence

from rnnlab.cells.state import State, select_rows
from rnnlab.layers.sigmoid_kernel import rnn_sigmoid

# mode -> kernel; the sigmoid Elman network runs the tanh kernel through σ(a) = (1 + tanh(a/2)) / 2
KERNELS = {"tanh": _VF.rnn_tanh, "relu": _VF.rnn_relu, "lstm": _VF.lstm, "gru": _VF.gru}
FUSED_MODES = (*KERNELS, "sigmoid")


@dataclass(frozen=True)
class KernelArgs:
    """What a kernel call needs besides the input, the state and the weights."""

    mode: str  # "tanh", "relu", "sigmoid", "lstm" or "gru" (CellSpec.fused)
    has_bias: bool  # the flat weight list holds b_ih, b_hh after W_ih, W_hh
    num_layers: int  # L
    dropout: float  # between layers, as torch.nn
    training: bool  # dropout acts only in training
    bidirectional: bool  # D = 2
    batch_first: bool  # padded input (B, T, I) instead of (T, B, I)


def _run(
    args: KernelArgs, x: Tensor, batch_sizes: Tensor | None, hx: State, weights: list[Tensor]
) -> tuple[Tensor, ...]:
    """One kernel call in either of its forms (padded, or packed with ``batch_sizes``)."""
    if args.mode == "sigmoid":
        return rnn_sigmoid(args, x, batch_sizes, hx, weights)
    common = (weights, args.has_bias, args.num_layers, args.dropout, args.training)
    if batch_sizes is None:
        return KERNELS[args.mode](x, hx, *common, args.bidirectional, args.batch_first)
    return KERNELS[args.mode](x, batch_sizes, hx, *common, args.bidirectional)


def _state_out(mode: str, result: tuple[Tensor, ...]) -> State:
    return (result[1], result[2]) if mode == "lstm" else result[1]


def fused_padded(
    args: KernelArgs, x: Tensor, hx: State, weights: list[Tensor]
) -> tuple[Tensor, State]:
    """x (T, B, I) (or (B, T, I)) and hx (L·D, B, H) -> (output, final state)."""
    result = _run(args, x, None, hx, weights)
    return result[0], _state_out(args.mode, result)


def fused_packed(
    args: KernelArgs, x: PackedSequence, hx: State, weights: list[Tensor]
) -> tuple[PackedSequence, State]:
    """A packed batch; ``hx`` and the returned state are in the caller's batch order."""
    order, undo = x.sorted_indices, x.unsorted_indices
    if order is not None:  # the kernel sees the batch sorted by decreasing length
        hx = select_rows(hx, order)
    result = _run(args, x.data, x.batch_sizes, hx, weights)
    out = PackedSequence(result[0], x.batch_sizes, order, undo)
    state = _state_out(args.mode, result)
    return out, (state if undo is None else select_rows(state, undo))
