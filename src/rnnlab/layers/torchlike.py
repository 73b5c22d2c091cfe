"""``TorchLikeRNN``: flat torch.nn-style parameters, an explicit and a fused backend.

The parameters are flat and named as in ``torch.nn`` (``weight_ih_l{k}``,
``weight_hh_l{k}``, ``bias_ih_l{k}``, ``bias_hh_l{k}``, ``*_reverse``), so state
dicts move both ways. Both backends take their tensors from one method,
:meth:`TorchLikeRNN.forward_weights`: the explicit loop runs the cell equations
of :mod:`rnnlab.cells.functional` on them, the fused backend hands them to
PyTorch's kernel.
"""

from __future__ import annotations

import functools
from typing import Any

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from rnnlab.cells.base import State
from rnnlab.cells.checks import check_choice
from rnnlab.cells.functional import NONLINEARITIES, elman_step, gru_step, lstm_step
from rnnlab.cells.init import INITS, init_recurrent_
from rnnlab.layers.base import SequenceLayer
from rnnlab.layers.fused import FUSED_MODES, fused_packed, fused_padded
from rnnlab.layers.loop import Step, map_state
from rnnlab.layers.sequence import check_packed, check_sequence

BACKENDS = ("auto", "explicit", "fused")


class TorchLikeRNN(SequenceLayer):
    """Shared body of :class:`RNN`, :class:`LSTM` and :class:`GRU`.

    ``mode`` is "tanh", "relu", "sigmoid", "lstm" or "gru". ``backend``:
    "explicit" (the Python loop over the cell equations, the reference),
    "fused" (PyTorch's kernel on the same tensors; for sigmoid the tanh kernel
    through an exact identity) or "auto" (fused whenever it computes the same
    function, else explicit). The choice is in
    ``backend_used`` and in the repr.

    Hooks for variants (see docs/layers.md):

    * :meth:`forward_weights` — the tensors a forward pass uses, in PyTorch's
      flat order (names in ``flat_weight_names``); both backends run on what it
      returns, e.g. W_hh with DropConnect still runs the fused kernel;
    * :meth:`fused_supported` — return False when the equations differ from
      PyTorch's kernel (``auto`` then runs the explicit loop);
    * :meth:`step_functions` — the per-layer, per-direction step functions of
      the explicit loop, built from ``forward_weights()``.
    """

    num_gates = 1

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        *,
        backend: str = "auto",
        init: str = "default",
        forget_bias: float | None = None,
        device: Any = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__(
            input_size,
            hidden_size,
            num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            batch_first=batch_first,
        )
        self.mode = check_choice("mode", mode, (*NONLINEARITIES, "lstm", "gru"))
        self.bias = bool(bias)
        self.init = check_choice("init", init, INITS)
        self.backend = check_choice("backend", backend, BACKENDS)
        if forget_bias is not None and not self.bias:
            raise ValueError("forget_bias needs bias=True")
        self.forget_bias = None if forget_bias is None else float(forget_bias)
        factory = {"device": device, "dtype": dtype}
        gh = self.num_gates * hidden_size
        self.flat_weight_names: list[str] = []
        for layer in range(num_layers):
            for d in range(self.num_directions):
                suffix = f"_l{layer}" + ("_reverse" if d == 1 else "")
                shapes = {
                    "weight_ih": (gh, self.layer_input_size(layer)),
                    "weight_hh": (gh, hidden_size),
                }
                if self.bias:
                    shapes.update(bias_ih=(gh,), bias_hh=(gh,))
                for kind, shape in shapes.items():
                    self.register_parameter(
                        kind + suffix, nn.Parameter(torch.empty(shape, **factory))
                    )
                    self.flat_weight_names.append(kind + suffix)
        self.reset_parameters()
        _ = self.backend_used  # a forced backend that cannot run fails here, not at forward

    # weights

    def reset_parameters(self) -> None:
        """PyTorch's init (or orthogonal W_hh blocks), then the forget bias if one is set."""
        for w_ih, w_hh, b_ih, b_hh in self.weight_groups(self._parameters_flat()):
            init_recurrent_(
                w_ih,
                w_hh,
                b_ih,
                b_hh,
                self.hidden_size,
                self.init,
                forget_bias=self.forget_bias,
                forget_gate=1,
            )

    def _parameters_flat(self) -> list[Tensor]:
        return [getattr(self, name) for name in self.flat_weight_names]

    def forward_weights(self) -> list[Tensor]:
        """The tensors this forward pass uses, in PyTorch's flat order.

        For each layer l and direction d (k = l·D + d): W_ih, W_hh, b_ih, b_hh
        (no biases when ``bias=False``), shaped as the parameters. The default
        returns the parameters themselves; a subclass may return transformed
        tensors (e.g. W_hh with DropConnect in training) — both the explicit
        loop and the fused kernel then run on them, and gradients flow back
        through the transformation to the parameters.
        """
        return self._parameters_flat()

    def weight_groups(
        self, weights: list[Tensor]
    ) -> list[tuple[Tensor, Tensor, Tensor | None, Tensor | None]]:
        """Split a flat list into (W_ih, W_hh, b_ih, b_hh) per layer and direction."""
        per = 4 if self.bias else 2
        groups = [weights[i : i + per] for i in range(0, len(weights), per)]
        return [(g[0], g[1], g[2], g[3]) if self.bias else (g[0], g[1], None, None) for g in groups]

    # backends

    def fused_supported(self) -> bool:
        """Whether a fused kernel computes this layer's equations.

        True for tanh, relu, LSTM and GRU (PyTorch's kernels) and for the sigmoid
        Elman network (the tanh kernel through σ(a) = (1 + tanh(a/2)) / 2, see
        :mod:`rnnlab.layers.sigmoid_kernel`). Variants whose equations differ
        return False.
        """
        return self.mode in FUSED_MODES

    @property
    def backend_used(self) -> str:  # type: ignore[override]
        """The backend a forward pass runs now: "explicit" or "fused"."""
        if self.backend == "explicit":
            return "explicit"
        if self.fused_supported():
            return "fused"
        if self.backend == "fused":
            raise ValueError(
                f"backend='fused' is not available for {type(self).__name__}: no fused kernel "
                "computes its equations; use backend='explicit' or 'auto'"
            )
        return "explicit"

    def step_functions(self) -> list[Step]:
        """One step ``(x_t, state) -> (h_t, state)`` per layer and direction (forward_weights)."""
        groups = self.weight_groups(self.forward_weights())
        if self.mode == "lstm":
            return [
                functools.partial(lstm_step, w_ih=a, w_hh=b, b_ih=c, b_hh=d)
                for a, b, c, d in groups
            ]
        if self.mode == "gru":
            return [
                functools.partial(gru_step, w_ih=a, w_hh=b, b_ih=c, b_hh=d) for a, b, c, d in groups
            ]
        return [
            functools.partial(elman_step, w_ih=a, w_hh=b, b_ih=c, b_hh=d, nonlinearity=self.mode)
            for a, b, c, d in groups
        ]

    def _zero_state(self, k: int, batch_size: int, device: Any, dtype: torch.dtype) -> State:
        return map_state(lambda s: s[k], self._zero_layer_state(batch_size, device, dtype))

    def _zero_layer_state(self, batch_size: int, device: Any, dtype: torch.dtype) -> State:
        shape = (self._num_states(), batch_size, self.hidden_size)  # (L·D, B, H)
        zeros = [torch.zeros(shape, device=device, dtype=dtype) for _ in self.state_names]
        return zeros[0] if len(zeros) == 1 else tuple(zeros)

    def _param_dtype(self) -> torch.dtype:
        return self.weight_ih_l0.dtype

    def forward(
        self, x: Tensor | PackedSequence, state: State | None = None, lengths: Any = None
    ) -> tuple[Tensor | PackedSequence, State]:
        """x (T, B, I) -> (output (T, B, D·H), state (L·D, B, H) or (h_n, c_n)).

        ``x`` may be (B, T, I) with ``batch_first``, unbatched (T, I), or a
        PackedSequence (then the output is one too). ``lengths`` (B,) in any
        order, or a boolean padding mask (T, B) / (B, T): final states are each
        sequence's state at its own last step; outputs past the end are zero.
        """
        if self.backend_used == "explicit":
            return self._forward_explicit(x, state, lengths)
        return self._forward_fused(x, state, lengths)

    def _forward_fused(
        self, x: Tensor | PackedSequence, state: State | None, lengths: Any
    ) -> tuple[Tensor | PackedSequence, State]:
        args = (self.bias, self.num_layers, self.dropout, self.training, self.bidirectional)
        weights = self.forward_weights()
        if isinstance(x, PackedSequence):
            if lengths is not None:
                raise ValueError("expected lengths=None with a PackedSequence input")
            check_packed(x, self.input_size, self._param_dtype())
            hx = self._initial_state(state, int(x.batch_sizes[0]), True, x.data)
            return fused_packed(self.mode, x, hx, weights, *args)
        batched = check_sequence(x, self.input_size, self._param_dtype(), self.batch_first)
        batch_size = x.shape[0 if self.batch_first else 1] if batched else 1
        steps = x.shape[1 if self.batch_first else 0] if batched else x.shape[0]
        lens = self._lengths(lengths, steps, batch_size, batched)
        hx = self._initial_state(state, batch_size, batched, x)
        if lens is not None and int(lens.min()) < steps:
            packed = pack_padded_sequence(x, lens, self.batch_first, enforce_sorted=False)
            out, final = fused_packed(self.mode, packed, hx, weights, *args)
            padded, _ = pad_packed_sequence(out, self.batch_first, total_length=steps)
            return padded, final
        batch_dim = 0 if self.batch_first else 1
        xs = x if batched else x.unsqueeze(batch_dim)  # (T, 1, I) or (1, T, I) when unbatched
        out, final = fused_padded(self.mode, xs, hx, weights, *args, self.batch_first)
        if not batched:
            return out.squeeze(batch_dim), map_state(lambda s: s.squeeze(1), final)
        return out, final

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.mode in NONLINEARITIES and self.mode != "tanh":
            s += f", nonlinearity={self.mode!r}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        if self.init != "default":
            s += f", init={self.init!r}"
        if self.forget_bias is not None:
            s += f", forget_bias={self.forget_bias}"
        chosen = f"backend={self.backend_used!r}"
        return f"{s}, {chosen}" + (" (auto)" if self.backend == "auto" else "")
