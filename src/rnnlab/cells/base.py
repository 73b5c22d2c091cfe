"""What every rnnlab cell shares: PyTorch-named parameters, init, input checks.

A cell is one time step. The cell contract (what :class:`rnnlab.layers.Recurrent`
relies on, and what variant cells follow):

* ``forward(x, state=None) -> (h, state)`` with ``x`` (B, I), ``h`` (B, H);
  ``state`` is a tensor (B, H) or a tuple of such tensors; ``None`` means zeros;
* ``init_state(batch_size, device=None, dtype=None)`` returns the zero state;
* attributes ``input_size``, ``hidden_size``.

The built-in cells also have ``gates(x, state)`` (post-activation gate values),
``num_gates`` and accept an unbatched (I,) input like ``torch.nn`` cells.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from rnnlab.cells.checks import check_choice, check_positive_int, shape_str
from rnnlab.cells.init import INITS, init_recurrent_

State = Tensor | tuple[Tensor, ...]  # (B, H), or a tuple of (B, H) tensors (LSTM: (h, c))


class RecurrentCell(nn.Module):
    """Base of the built-in cells: W_ih (G·H, I), W_hh (G·H, H), b_ih, b_hh (G·H,).

    Subclasses set ``num_gates`` and ``state_names`` (("h",) or ("h", "c")),
    call ``reset_parameters()`` at the end of their ``__init__`` and define
    ``_gates(x, state)`` and ``_step(x, state)`` on batched tensors by calling
    the equations in :mod:`rnnlab.cells.functional`.
    """

    num_gates: int = 1
    state_names: tuple[str, ...] = ("h",)

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        *,
        init: str = "default",
        device: Any = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.bias = bool(bias)
        self.init = check_choice("init", init, INITS)
        factory = {"device": device, "dtype": dtype}
        gh = self.num_gates * hidden_size
        self.weight_ih = nn.Parameter(torch.empty(gh, input_size, **factory))  # (G·H, I)
        self.weight_hh = nn.Parameter(torch.empty(gh, hidden_size, **factory))  # (G·H, H)
        if self.bias:
            self.bias_ih = nn.Parameter(torch.empty(gh, **factory))  # (G·H,)
            self.bias_hh = nn.Parameter(torch.empty(gh, **factory))  # (G·H,)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)

    def reset_parameters(self) -> None:
        init_recurrent_(
            self.weight_ih,
            self.weight_hh,
            self.bias_ih,
            self.bias_hh,
            self.hidden_size,
            self.init,
        )

    @property
    def weights(self) -> tuple[Tensor, Tensor, Tensor | None, Tensor | None]:
        """(W_ih, W_hh, b_ih, b_hh) as the equations use them."""
        return self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh

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
        h, state = self._step(x, state)
        if not batched:
            h, state = h.squeeze(0), _map_state(state, lambda s: s.squeeze(0))
        return h, state

    def gates(self, x: Tensor, state: State | None = None) -> dict[str, Tensor]:
        """Post-activation gate values at this step, each (B, H) (or (H,) unbatched)."""
        x, batched = self._check_input(x)
        state = self._check_state(state, x, batched)
        q = self._gates(x, state)
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
        names = self.state_names
        parts = (state,) if len(names) == 1 and isinstance(state, Tensor) else state
        well_formed = isinstance(parts, (tuple, list)) and len(parts) == len(names)
        if not well_formed or not all(isinstance(p, Tensor) for p in parts):
            want = "a tensor" if len(names) == 1 else f"a tuple ({', '.join(names)}) of tensors"
            raise TypeError(f"expected state to be {want}, got {_describe(state)}")
        want = (x.shape[0], self.hidden_size) if batched else (self.hidden_size,)
        checked = []
        for name, p in zip(names, parts, strict=True):
            label = "state" if len(names) == 1 else f"state {name}"
            if tuple(p.shape) != want:
                raise ValueError(
                    f"expected {label} of shape {shape_str(want)}, got {shape_str(p.shape)}"
                )
            if p.dtype != x.dtype:
                raise TypeError(f"expected {label} of dtype {x.dtype}, got {p.dtype}")
            checked.append(p if batched else p.unsqueeze(0))
        return checked[0] if len(names) == 1 else tuple(checked)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if self.init != "default":
            s += f", init={self.init!r}"
        return s


def _map_state(state: State, fn: Any) -> State:
    return fn(state) if isinstance(state, Tensor) else tuple(fn(s) for s in state)


def _describe(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)}"
    return type(value).__name__
