"""What every rnnlab recurrent layer shares: arguments, input/state checks, the explicit path.

Symbols: T time, B batch, I input size, H hidden size, L layers, D directions
(2 when bidirectional). The layer state has the layout of ``torch.nn``: a tensor
(L·D, B, H), or a tuple of them (LSTM: (h_n, c_n)); entry k = l·D + d belongs to
layer l, direction d (d = 1 reads the sequence backwards).
"""

from __future__ import annotations

import warnings
from typing import Any

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import PackedSequence, pad_packed_sequence

from rnnlab.cells.base import State
from rnnlab.cells.checks import check_positive_int, shape_str
from rnnlab.layers.loop import map_state, run_stack
from rnnlab.layers.sequence import check_packed, check_sequence, normalize_lengths, repack


class SequenceLayer(nn.Module):
    """Base of :class:`Recurrent` and the torch-like layers.

    Subclasses provide ``step_functions()`` (one step per layer and direction, k = l·D + d),
    ``_zero_state(k, B, device, dtype)``, ``_param_dtype()`` and ``state_names``.
    """

    state_names: tuple[str, ...] = ("h",)
    backend_used: str = "explicit"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        *,
        bidirectional: bool = False,
        dropout: float = 0.0,
        batch_first: bool = False,
    ) -> None:
        super().__init__()
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.num_layers = check_positive_int("num_layers", num_layers)
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)):
            raise TypeError(f"expected dropout to be a number in [0, 1], got {dropout!r}")
        if not 0.0 <= dropout <= 1.0:
            raise ValueError(f"expected dropout in [0, 1], got {dropout}")
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout acts between layers, so it has no effect with num_layers=1 "
                f"(got dropout={dropout})",
                UserWarning,
                stacklevel=3,
            )
        self.dropout = float(dropout)
        self.bidirectional = bool(bidirectional)
        self.batch_first = bool(batch_first)

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    def layer_input_size(self, layer: int) -> int:
        """I for the first layer, D·H for the layers stacked on it."""
        return self.input_size if layer == 0 else self.num_directions * self.hidden_size

    def forward(
        self, x: Tensor | PackedSequence, state: State | None = None, lengths: Any = None
    ) -> tuple[Tensor | PackedSequence, State]:
        """x (T, B, I) -> (output (T, B, D·H), state (L·D, B, H) or a tuple of them)."""
        return self._forward_explicit(x, state, lengths)

    # the explicit path (the reference)

    def _forward_explicit(
        self, x: Tensor | PackedSequence, state: State | None, lengths: Any
    ) -> tuple[Tensor | PackedSequence, State]:
        packed = x if isinstance(x, PackedSequence) else None
        if packed is not None:
            if lengths is not None:
                raise ValueError("expected lengths=None with a PackedSequence input")
            check_packed(packed, self.input_size, self._param_dtype())
            xs, lens = pad_packed_sequence(packed)  # (T, B, I) in the caller's order, (B,)
            batched = True
        else:
            batched = check_sequence(x, self.input_size, self._param_dtype(), self.batch_first)
            xs = x.transpose(0, 1) if batched and self.batch_first else x  # (T, B, I)
            xs = xs if batched else xs.unsqueeze(1)  # (T, 1, I) when unbatched
            lens = self._lengths(lengths, xs.shape[0], xs.shape[1], batched)
        steps_total = xs.shape[0]
        h0 = self._initial_state(state, xs.shape[1], batched, xs)
        states = [map_state(lambda s, k=k: s[k], h0) for k in range(self._num_states())]
        ragged = None if lens is None or int(lens.min()) == steps_total else lens
        out, finals = run_stack(
            self.step_functions(),
            xs,
            states,
            ragged,
            self.num_layers,
            self.bidirectional,
            self.dropout,
            self.training,
        )  # (T, B, D·H)
        final = map_state(lambda *parts: torch.stack(parts), *finals)  # (L·D, B, H)
        if packed is not None:
            return repack(out, packed, lens), final
        if not batched:
            return out.squeeze(1), map_state(lambda s: s.squeeze(1), final)
        return (out.transpose(0, 1) if self.batch_first else out), final

    # shared checks

    def _num_states(self) -> int:
        return self.num_layers * self.num_directions

    def _lengths(self, lengths: Any, num_steps: int, batch_size: int, batched: bool) -> Any:
        if lengths is None:
            return None
        if not batched:
            raise ValueError("expected a batched input (3-D) when lengths are given, got 2-D")
        return normalize_lengths(lengths, num_steps, batch_size, self.batch_first)

    def _zero_layer_state(self, batch_size: int, device: Any, dtype: torch.dtype) -> State:
        """The zero layer state (L·D, B, H), or a tuple of them: each cell's zeros, stacked."""
        zeros = [self._zero_state(k, batch_size, device, dtype) for k in range(self._num_states())]
        return map_state(lambda *parts: torch.stack(parts), *zeros)

    def _initial_state(self, state: Any, batch_size: int, batched: bool, x: Tensor) -> State:
        """The checked initial layer state, batched (L·D, B, H), zeros when ``state`` is None."""
        template = self._zero_layer_state(batch_size, x.device, x.dtype)  # (L·D, B, H)
        if state is None:
            return template
        names = self.state_names
        single = isinstance(template, Tensor)
        parts = (state,) if single and isinstance(state, Tensor) else state
        expected = (template,) if single else template
        well_formed = isinstance(parts, (tuple, list)) and len(parts) == len(expected)
        if not well_formed or not all(isinstance(p, Tensor) for p in parts):
            want = "a tensor" if single else f"a tuple ({', '.join(names)}) of tensors"
            got = (
                f"a {type(state).__name__} of {len(state)}"
                if isinstance(state, (tuple, list))
                else type(state).__name__
            )
            raise TypeError(f"expected state to be {want}, got {got}")
        checked = []
        for name, p, z in zip(names, parts, expected, strict=True):
            label = "state" if single else f"state {name}"
            want_shape = z.shape if batched else z.shape[:1] + z.shape[2:]
            if p.shape != want_shape:
                raise ValueError(
                    f"expected {label} of shape {shape_str(want_shape)} (num_layers·D, B, H), "
                    f"got {shape_str(p.shape)}"
                )
            if p.dtype != x.dtype:
                raise TypeError(f"expected {label} of dtype {x.dtype}, got {p.dtype}")
            checked.append(p if batched else p.unsqueeze(1))
        return checked[0] if single else tuple(checked)

    # what subclasses provide besides step_functions() and _zero_state()

    def _param_dtype(self) -> torch.dtype:
        return next(self.parameters()).dtype
