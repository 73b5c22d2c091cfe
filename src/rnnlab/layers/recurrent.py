"""``Recurrent``: the loop over time around L·D cells it owns, with backends.

Symbols: T time steps, B batch, I input size, H hidden size, L layers,
D directions (2 when bidirectional), G gate blocks of the cell.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.rnn import PackedSequence

from rnnlab.cells.base import WEIGHT_NAMES, RecurrentCell
from rnnlab.cells.checks import check_cell_contract, check_choice, check_positive_int
from rnnlab.cells.init import INITS, check_forget_bias
from rnnlab.cells.spec import CellSpec, get_cell
from rnnlab.cells.state import State, map_state
from rnnlab.cells.zoneout import zoneout_masks
from rnnlab.layers.backends import RUNNERS, choose_backend, fused_available
from rnnlab.layers.fused import KernelArgs
from rnnlab.layers.loop import Step
from rnnlab.layers.names import torch_name_target, use_torch_names
from rnnlab.layers.sequence import check_custom_cell, check_dropout, check_initial_state
from rnnlab.layers.sequence_kernel import KERNELS as SEQUENCE_KERNELS

BACKENDS = ("auto", *RUNNERS)


class Recurrent(nn.Module):
    r"""L stacked layers × D directions of one kind of cell, run over a sequence.

    Args:
        cell: a registered cell name ("elman-tanh", "elman-relu", "elman-sigmoid",
            "lstm", "gru", …; see :func:`rnnlab.cells.spec.cell_names`), a
            :class:`~rnnlab.cells.spec.CellSpec`, or a callable
            ``(input_size, hidden_size) -> cell`` building a custom cell (any
            module following the cell contract of :mod:`rnnlab.cells.base`).
        input_size: I.   hidden_size: H.   num_layers: L (default 1).
        bias: cells with b_ih and b_hh (default True).
        batch_first: input and output (B, T, ·) instead of (T, B, ·); states
            keep (L·D, B, H).
        dropout: dropout on each layer's output except the last, in training
            only (as torch.nn).
        bidirectional: D = 2; direction d = 1 reads each sequence backwards.
        backend: "explicit" (the loop over the cell equations, the reference),
            "fused" (PyTorch's kernel on the same tensors), "sequence" (rnnlab's
            whole-sequence kernel with hand-written BPTT, for every registry
            cell whose spec names one) or "auto" (fused whenever the spec's
            ``fused`` kernel computes the same function, else sequence when
            available, else explicit); ``backend_used`` and the repr say which.
        init: "default" (PyTorch's U(−1/√H, 1/√H)) or "orthogonal" W_hh blocks.
        forget_bias: None (PyTorch's init) or b: b_ih = b, b_hh = 0 on the
            forget gate (LSTM f, GRU z) of every layer and direction.
        weight_drop: p of DropConnect on every W_hh in training (Wan et al.
            2013; AWD-LSTM): one mask per forward pass, shared by all steps.
        device, dtype: of the parameters.

    bias, init, forget_bias and weight_drop configure registry cells; a custom
    cell (a callable) is configured by its own constructor and runs the
    explicit backend.

    Inputs: ``x, state=None, lengths=None``
        x: (T, B, I), (B, T, I) with ``batch_first``, unbatched (T, I), or a
            PackedSequence (the output is then packed alike).
        state: h_0 (L·D, B, H), or a tuple such as (h_0, c_0) for the LSTM;
            None means zeros. Entry k = l·D + d is layer l, direction d.
        lengths: (B,) ints in [1, T] in any order, or a boolean padding mask
            (T, B) / (B, T) with True on the valid steps, which come first.

    Outputs: ``output, state``
        output: (T, B, D·H) (or (B, T, D·H)): h_t of the last layer, both
            directions; zero past each sequence's length.
        state: h_n (L·D, B, H) (or (h_n, c_n)): each sequence's state after its
            own last valid step.

    Attributes:
        cells: nn.ModuleList of L·D cells, ``cells[l·D + d]``; registry cells
            are :class:`~rnnlab.cells.RecurrentCell`\ s with weight_ih (G·H, I or
            D·H), weight_hh (G·H, H), bias_ih, bias_hh (G·H,).
        weight_ih_l{l}[_reverse] …: torch.nn's names for those parameters, for
            reading and in-place init; ``state_dict()`` uses them and
            ``load_state_dict`` takes them (both ways with torch.nn).
        spec (None for custom cells), state_names, backend_used.

    Equivalent to this loop (the explicit backend, without lengths; s_k is
    h_0[k], or (h_0[k], c_0[k]) for the LSTM)::

        for l in range(L):
            outs = []
            for d in range(D):
                k = l * D + d
                cell, s = cells[k], s_k
                hs = [None] * T
                for t in (range(T - 1, -1, -1) if d == 1 else range(T)):
                    h, s = cell(x[t], s)      # h_t (B, H)
                    hs[t] = h
                outs.append(torch.stack(hs))  # (T, B, H)
                final[k] = s
            x = torch.cat(outs, dim=-1)       # (T, B, D·H)
            if l < L - 1:
                x = F.dropout(x, dropout, training)
        output, state = x, stack(final)
    """

    cell_in_repr = True  # the presets say the cell by their class name

    def __init__(
        self,
        cell: str | CellSpec | Callable[[int, int], nn.Module],
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        *,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        backend: str = "auto",
        init: str = "default",
        forget_bias: float | None = None,
        weight_drop: float = 0.0,
        device: Any = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.num_layers = check_positive_int("num_layers", num_layers)
        self.dropout = check_dropout(dropout, num_layers)
        self.bidirectional = bool(bidirectional)
        self.batch_first = bool(batch_first)
        self.bias = bool(bias)
        self.backend = check_choice("backend", backend, BACKENDS)
        self.init = check_choice("init", init, INITS)
        if not 0.0 <= weight_drop < 1.0:
            raise ValueError(f"expected weight_drop in [0, 1), got {weight_drop}")
        self.weight_drop = float(weight_drop)
        sizes = [(self.layer_input_size(k // self.num_directions), hidden_size) for k in
                 range(self.num_layers * self.num_directions)]  # (input, hidden) of cell k
        if isinstance(cell, (str, CellSpec)):
            self.spec: CellSpec | None = get_cell(cell)
            self.forget_bias = check_forget_bias(self.spec, forget_bias, self.bias)
            made = [
                RecurrentCell(self.spec, i, h, self.bias, forget_bias=self.forget_bias,
                              init=self.init, device=device, dtype=dtype)
                for i, h in sizes
            ]
        else:
            self.spec, self.forget_bias = None, None
            check_custom_cell(cell, bias, init, forget_bias, weight_drop)
            made = [check_cell_contract(cell(i, h), h) for i, h in sizes]
        self.cells = nn.ModuleList(made)
        self.state_names = tuple(getattr(made[0], "state_names", ("h",)))
        use_torch_names(self)  # state dicts keyed weight_ih_l0 … both ways
        _ = self.backend_used  # a forced backend that cannot run fails here, not at forward

    # torch.nn's flat names (weight_hh_l0 …) read and write the cells' parameters

    def __getattr__(self, name: str) -> Any:
        try:
            return super().__getattr__(name)
        except AttributeError:
            target = torch_name_target(self, name)
            if target is None or getattr(*target) is None:
                raise
            return getattr(*target)

    def __setattr__(self, name: str, value: Any) -> None:
        target = torch_name_target(self, name)
        if target is None:
            super().__setattr__(name, value)
        else:
            setattr(target[0], target[1], value)

    # sizes and types

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    def layer_input_size(self, layer: int) -> int:
        """I for the first layer, D·H for the layers stacked on it."""
        return self.input_size if layer == 0 else self.num_directions * self.hidden_size

    @property
    def dtype(self) -> torch.dtype:
        """The parameters' dtype (the input must have it)."""
        first = next(self.parameters(), None)
        return torch.get_default_dtype() if first is None else first.dtype

    # the weights a forward pass runs on

    def forward_weights(self) -> list[dict[str, Tensor]]:
        """Per cell k = l·D + d, the tensors this forward pass uses, by name.

        weight_ih, weight_hh, bias_ih, bias_hh (None without bias) and any
        extra parameters of the cell; in training with ``weight_drop`` > 0,
        W_hh is DropConnect-ed (``F.dropout(W_hh, p)``). Both backends run on
        what this returns, and gradients flow through it to the parameters.
        """
        if self.spec is None:
            raise TypeError("forward_weights() is for registry cells; a custom cell owns its own")
        weights = [cell.weights() for cell in self.cells]
        if self.training and self.weight_drop > 0.0:
            for w in weights:  # one mask per W_hh per forward pass, shared over time and batch
                w["weight_hh"] = F.dropout(w["weight_hh"], self.weight_drop, training=True)
        return weights

    def flat_forward_weights(self) -> list[Tensor]:
        """:meth:`forward_weights` in the kernels' order: per cell W_ih, W_hh (, b_ih, b_hh)."""
        names = WEIGHT_NAMES if self.bias else WEIGHT_NAMES[:2]
        return [w[name] for w in self.forward_weights() for name in names]

    def forward_noise(self, steps: int, batch_size: int, like: Tensor) -> list[dict[str, Any]]:
        """Per cell k, the random inputs of every step of this forward pass, by keyword.

        Zoneout cells: ``{"zoneout_mask": (d_h, …)}``, each (T, B, H), Bernoulli in
        training and the rates in eval (:func:`rnnlab.cells.zoneout.zoneout_masks`);
        other cells: ``{}``. Drawn once, before the loop, so every backend runs the
        same masks.
        """
        rates = () if self.spec is None else self.spec.zoneout_rates
        if not rates:
            return [{} for _ in self.cells]
        shape = (steps, batch_size, self.hidden_size)
        return [{"zoneout_mask": zoneout_masks(rates, shape, self.training, like)}
                for _ in self.cells]

    def step_functions(self) -> list[Step]:
        """One ``step(x_t, state) -> (h_t, state)`` per cell, for the explicit loop."""
        if self.spec is None:
            return list(self.cells)
        spec = self.spec
        return [functools.partial(spec.step, **w, **spec.options) for w in self.forward_weights()]

    # backends

    def fused_available(self) -> bool:
        """Whether a PyTorch kernel computes exactly this layer's equations."""
        return fused_available(self)

    def sequence_available(self) -> bool:
        """Whether rnnlab's whole-sequence kernel computes this layer's equations."""
        return self.spec is not None and self.spec.sequence in SEQUENCE_KERNELS

    @property
    def backend_used(self) -> str:
        """The backend a forward pass runs now: "explicit", "fused" or "sequence"."""
        return choose_backend(self)

    def kernel_args(self) -> KernelArgs:
        return KernelArgs(
            mode=self.spec.fused,
            has_bias=self.bias,
            num_layers=self.num_layers,
            dropout=self.dropout,
            training=self.training,
            bidirectional=self.bidirectional,
            batch_first=self.batch_first,
        )

    # state

    def init_state(
        self, batch_size: int, device: Any = None, dtype: torch.dtype | None = None
    ) -> State:
        """The zero state, (L·D, B, H) per state tensor: what ``state=None`` means."""
        zeros = [c.init_state(batch_size, device=device, dtype=dtype) for c in self.cells]
        return map_state(lambda *parts: torch.stack(parts), *zeros)

    def initial_state(self, state: Any, batch_size: int, batched: bool, like: Tensor) -> State:
        """``state`` checked (zeros when None), batched (L·D, B, H) on ``like``'s device."""
        template = self.init_state(batch_size, device=like.device, dtype=like.dtype)
        return check_initial_state(state, template, self.state_names, batched, like.dtype)

    def forward(
        self, x: Tensor | PackedSequence, state: State | None = None, lengths: Any = None
    ) -> tuple[Tensor | PackedSequence, State]:
        """x (T, B, I) -> (output (T, B, D·H), state (L·D, B, H) or a tuple); see the class."""
        return RUNNERS[self.backend_used](self, x, state, lengths)

    def extra_repr(self) -> str:
        cell = self.spec.name if self.spec else type(self.cells[0]).__name__
        s = (f"{cell!r}, " if self.cell_in_repr else "") + f"{self.input_size}, {self.hidden_size}"
        defaults = {"num_layers": 1, "bias": True, "batch_first": False, "dropout": 0.0,
                    "bidirectional": False, "init": "default", "forget_bias": None,
                    "weight_drop": 0.0}
        for name, default in defaults.items():
            if getattr(self, name) != default:
                s += f", {name}={getattr(self, name)!r}"
        auto = " (auto)" if self.backend == "auto" else ""
        return f"{s}, backend={self.backend_used!r}{auto}"

