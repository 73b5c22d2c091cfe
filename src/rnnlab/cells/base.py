"""``RecurrentCell``: one generic cell module for every registered kind of cell.

A cell is one time step. The cell contract (what :class:`rnnlab.layers.Recurrent`
relies on, and what a user's own cell follows to run in it):

* ``forward(x, state=None) -> (h, state)`` with ``x`` (B, I), ``h`` (B, H);
  ``state`` is a tensor (B, H) or a tuple of such tensors; ``None`` means zeros;
* ``init_state(batch_size, device=None, dtype=None)`` returns the zero state;
* attribute ``hidden_size``, and optionally ``state_names`` (default ("h",)).

:class:`RecurrentCell` owns the parameters (torch.nn's names and layout) and
runs the equations of its :class:`~rnnlab.cells.spec.CellSpec`.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from rnnlab.cells.checks import check_choice, check_positive_int, check_state_parts, shape_str
from rnnlab.cells.init import INITS, check_forget_bias, init_weights_
from rnnlab.cells.spec import CellSpec, ExtraParameter, get_cell
from rnnlab.cells.state import State, map_state
from rnnlab.cells.zoneout import zoneout_masks

WEIGHT_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


class RecurrentCell(nn.Module):
    """One step of the cell ``cell`` (a registry name or a :class:`CellSpec`).

    Args:
        cell: "elman-tanh", "elman-relu", "elman-sigmoid", "lstm", "gru", or any
            registered name (:func:`rnnlab.cells.spec.cell_names`), or a spec.
        input_size: I.  hidden_size: H.
        bias: whether the cell has b_ih and b_hh.
        forget_bias: None (PyTorch's init) or b: b_ih[gate] = b, b_hh[gate] = 0
            for the spec's ``forget_gate`` (LSTM f, GRU z); an error for Elman.
        init: "default" (PyTorch's U(−1/√H, 1/√H)) or "orthogonal" W_hh blocks.

    Attributes:
        weight_ih (G·H, I), weight_hh (G·H, H), bias_ih, bias_hh (G·H,) or None:
            named, shaped and ordered as in ``torch.nn.RNNCell/LSTMCell/GRUCell``
            (gate blocks in PyTorch's order), so state dicts move both ways.
        spec, input_size, hidden_size, state_names, num_gates.

    Inputs ``x`` (B, I) or unbatched (I,), ``state`` as the cell's state or None;
    outputs ``(h, state)`` of the same batching.
    """

    def __init__(
        self,
        cell: str | CellSpec,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        *,
        forget_bias: float | None = None,
        init: str = "default",
        device: Any = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        self.spec = get_cell(cell)
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.bias = bool(bias)
        self.init = check_choice("init", init, INITS)
        self.forget_bias = check_forget_bias(self.spec, forget_bias, self.bias)
        factory = {"device": device, "dtype": dtype}
        gh = self.spec.num_gates * hidden_size
        self.weight_ih = nn.Parameter(torch.empty(gh, input_size, **factory))  # (G·H, I)
        self.weight_hh = nn.Parameter(torch.empty(gh, hidden_size, **factory))  # (G·H, H)
        if self.bias:
            self.bias_ih = nn.Parameter(torch.empty(gh, **factory))  # (G·H,)
            self.bias_hh = nn.Parameter(torch.empty(gh, **factory))  # (G·H,)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        extra = self._extra_parameters()
        for name, p in extra.items():
            self.register_parameter(name, nn.Parameter(torch.empty(p.shape, **factory)))
        self.extra_names = tuple(extra)  # passed to the equations by name, after the biases
        self.reset_parameters()

    def _extra_parameters(self) -> dict[str, ExtraParameter]:
        make = self.spec.extra_parameters
        return {} if make is None else dict(make(self.input_size, self.hidden_size))

    @property
    def state_names(self) -> tuple[str, ...]:
        return self.spec.state_names

    @property
    def num_gates(self) -> int:
        return self.spec.num_gates

    def reset_parameters(self) -> None:
        """PyTorch's init (or orthogonal W_hh blocks), then the forget bias if one is set."""
        init_weights_(
            self.spec,
            self.weights(),
            self.hidden_size,
            self.init,
            self.forget_bias,
            self._extra_parameters(),
        )

    def weights(self) -> dict[str, Tensor]:
        """The tensors the equations take by name: W_ih, W_hh, b_ih, b_hh, then any extras."""
        out = {name: getattr(self, name) for name in WEIGHT_NAMES}
        out.update({name: getattr(self, name) for name in self.extra_names})
        return out

    def init_state(
        self, batch_size: int, device: Any = None, dtype: torch.dtype | None = None
    ) -> State:
        """The zero state: (B, H), or a tuple of them for cells with several."""
        device = self.weight_hh.device if device is None else device
        dtype = self.weight_hh.dtype if dtype is None else dtype
        zeros = [
            torch.zeros(batch_size, self.hidden_size, device=device, dtype=dtype)
            for _ in self.state_names
        ]
        return zeros[0] if len(zeros) == 1 else tuple(zeros)

    # the public entry points: check, add a batch dimension if needed, run the equations

    def forward(self, x: Tensor, state: State | None = None) -> tuple[Tensor, State]:
        """One step: x (B, I) or (I,) -> (h (B, H), new state)."""
        x, batched = self._check_input(x)
        state = self._check_state(state, x, batched)
        noise = self.step_noise(x.shape[0], x)
        h, state = self.spec.step(x, state, **self.weights(), **noise, **self.spec.options)
        if not batched:
            h, state = h.squeeze(0), map_state(lambda s: s.squeeze(0), state)
        return h, state

    def step_noise(self, batch_size: int, like: Tensor) -> dict[str, Any]:
        """The random inputs of one step: zoneout masks (B, H) for zoneout cells, else {}.

        Bernoulli draws in training; in eval the rates themselves (deterministic).
        """
        rates = self.spec.zoneout_rates
        if not rates:
            return {}
        shape = (batch_size, self.hidden_size)
        return {"zoneout_mask": zoneout_masks(rates, shape, self.training, like)}

    def gates(self, x: Tensor, state: State | None = None) -> dict[str, Tensor]:
        """Post-activation gate values at this step, each (B, H) (or (H,) unbatched)."""
        x, batched = self._check_input(x)
        state = self._check_state(state, x, batched)
        q = self.spec.gates(x, state, **self.weights(), **self.spec.options)
        return q if batched else {k: v.squeeze(0) for k, v in q.items()}

    # checks

    def _check_input(self, x: Tensor) -> tuple[Tensor, bool]:
        if not isinstance(x, Tensor):
            raise TypeError(f"expected input to be a torch.Tensor, got {type(x).__name__}")
        i = self.input_size
        if x.dim() not in (1, 2) or x.shape[-1] != i:
            want = f"({i},)" if x.dim() == 1 else f"(B, {i})"
            raise ValueError(f"expected input of shape {want}, got {shape_str(x.shape)}")
        if x.dtype != self.weight_ih.dtype:
            raise TypeError(
                f"expected input of dtype {self.weight_ih.dtype} (the cell's parameters), "
                f"got {x.dtype}"
            )
        return (x, True) if x.dim() == 2 else (x.unsqueeze(0), False)

    def _check_state(self, state: State | None, x: Tensor, batched: bool) -> State:
        if state is None:
            return self.init_state(x.shape[0], device=x.device, dtype=x.dtype)
        want = (x.shape[0], self.hidden_size) if batched else (self.hidden_size,)
        parts = check_state_parts(state, self.state_names, want, x.dtype)
        parts = parts if batched else tuple(p.unsqueeze(0) for p in parts)
        return parts[0] if len(parts) == 1 else parts

    def extra_repr(self) -> str:
        s = f"{self.spec.name!r}, {self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if self.init != "default":
            s += f", init={self.init!r}"
        if self.forget_bias is not None:
            s += f", forget_bias={self.forget_bias}"
        return s

