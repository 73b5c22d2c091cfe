"""A stack of reference cells run over time, and backpropagation through time.

Forward, for layers k = 0 … L-1 and steps t = 1 … T (layer 0 reads the input,
layer k reads the hidden states of layer k-1):

    h^{(0)}_t = x_t,   (h^{(k+1)}_t, s^{(k+1)}_t) = cell_k(h^{(k)}_t, s^{(k+1)}_{t-1})

Backward (BPTT). The gradient reaching h_t of a layer has two sources: the
layer above (or the output layer) at the same step, and the next step of the
same layer. Going from t = T down to 1:

    dh_t   = dout_t + dh_next                       (LSTM also carries dc_next)
    dx_t, dh_next, ∂J/∂W|_(t) = cell.backward(dh_t, cache_t)
    ∂J/∂W  = Σ_t ∂J/∂W|_(t)                          the weights are shared over time

The dx_t of layer k is the dout_t of layer k-1. What is left in dh_next after
t = 1 is ∂J/∂s_0, the gradient with respect to the initial state; truncated
BPTT simply drops it (see ``tbptt.py``).

Parameters carry PyTorch's layer names (weight_ih_l{k}, weight_hh_l{k},
bias_ih_l{k}, bias_hh_l{k}) and states its layouts: h (L, B, H) for Elman and
GRU, (h, c) for LSTM, so ``torch.nn.LSTM(...).state_dict()`` loads directly.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from rnnlab.reference.cell import Grads, ReferenceCell
from rnnlab.reference.elman import ElmanCell
from rnnlab.reference.gru import GRUCell
from rnnlab.reference.ln_gru import LNGRUCell
from rnnlab.reference.ln_lstm import LNLSTMCell
from rnnlab.reference.lstm import LSTMCell
from rnnlab.reference.zoneout import ZoneoutCell


def _zoneout(base: Callable[..., ReferenceCell], rates: tuple[float, ...]):
    def make(*args: Any, **kwargs: Any) -> ReferenceCell:
        return ZoneoutCell(base(*args, **kwargs), rates)

    return make


# the registry names of rnnlab.cells.spec (a test keeps them equal; this package imports no
# torch, so it cannot read that registry) -> (input_size, hidden_size, bias, rng, dtype) -> cell
CELLS: dict[str, Callable[..., ReferenceCell]] = {
    "elman-tanh": functools.partial(ElmanCell, nonlinearity="tanh"),
    "elman-relu": functools.partial(ElmanCell, nonlinearity="relu"),
    "elman-sigmoid": functools.partial(ElmanCell, nonlinearity="sigmoid"),
    "lstm": LSTMCell,
    "gru": GRUCell,
    "ln-lstm": LNLSTMCell,
    "ln-gru": LNGRUCell,
    "zoneout-lstm": _zoneout(LSTMCell, (0.05, 0.5)),  # the registry's rates (a test checks)
    "zoneout-gru": _zoneout(GRUCell, (0.1,)),
}


def make_cell(
    cell: str,
    input_size: int,
    hidden_size: int,
    bias: bool = True,
    rng: np.random.Generator | None = None,
    dtype: type = np.float64,
) -> ReferenceCell:
    """A reference cell by its registry name ("elman-tanh" … "lstm", "gru", "ln-lstm", "ln-gru",
    "zoneout-lstm", "zoneout-gru")."""
    if cell not in CELLS:
        raise ValueError(f"expected cell in {list(CELLS)}, got {cell!r}")
    return CELLS[cell](input_size, hidden_size, bias, rng=rng, dtype=dtype)


class Recurrent:
    """L stacked cells of one kind run over a sequence x (T, B, I)."""

    def __init__(
        self,
        cell: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        rng: np.random.Generator | None = None,
        dtype: type = np.float64,
    ) -> None:
        if num_layers < 1:
            raise ValueError(f"expected num_layers >= 1, got {num_layers}")
        rng = np.random.default_rng(0) if rng is None else rng
        self.kind = cell
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.cells = [
            make_cell(cell, input_size if k == 0 else hidden_size, hidden_size, bias, rng, dtype)
            for k in range(num_layers)
        ]

    @property
    def params(self) -> dict[str, np.ndarray]:
        """PyTorch-named views of the cells' arrays (updating one updates the cell)."""
        return {f"{name}_l{k}": p for k, c in enumerate(self.cells) for name, p in c.params.items()}

    def load_params(self, params: dict[str, Any]) -> None:
        """Load ``weight_ih_l0`` … (a torch ``state_dict`` converted with ``.numpy()`` works)."""
        if set(params) != set(self.params):
            raise ValueError(f"expected parameters {sorted(self.params)}, got {sorted(params)}")
        for k, c in enumerate(self.cells):
            c.load_params({name: params[f"{name}_l{k}"] for name in c.params})

    # -- state layout: torch's (L, B, H) <-> one state per layer ----------------------------
    def init_state(self, batch_size: int):
        return self._stack([c.init_state(batch_size) for c in self.cells])

    @property
    def _paired(self) -> bool:  # the state is (h, c)
        return self.cells[0].state_size_factor == 2

    def _split(self, state) -> list:
        if self._paired:
            h, c = state
            return [(h[k], c[k]) for k in range(self.num_layers)]
        return [state[k] for k in range(self.num_layers)]

    def _stack(self, per_layer: list):
        if self._paired:
            return np.stack([s[0] for s in per_layer]), np.stack([s[1] for s in per_layer])
        return np.stack(per_layer)

    # -- forward and BPTT ---------------------------------------------------------------------
    def forward(self, x: np.ndarray, state=None, masks=None):
        """(out (T, B, H) of the top layer, final state, cache for ``backward``).

        ``masks[k]``: zoneout masks of layer k, a tuple of (T, B, H) arrays (one per state
        tensor); None = each zoneout cell's rates (evaluation). Other cells take none.
        """
        if x.ndim != 3 or x.shape[2] != self.input_size:
            raise ValueError(
                f"expected input of shape (T, B, {self.input_size}), got {tuple(x.shape)}"
            )
        T, B, _ = x.shape
        states = self._split(self.init_state(B) if state is None else state)
        caches: list[list] = []  # caches[k][t]
        inputs = x
        for k, cell in enumerate(self.cells):
            s = states[k]
            hs, layer_caches = [], []
            for t in range(T):
                noise = {} if masks is None else {"mask": tuple(m[t] for m in masks[k])}
                h, s, cache = cell.forward(inputs[t], s, **noise)
                hs.append(h)
                layer_caches.append(cache)
            states[k] = s
            caches.append(layer_caches)
            inputs = np.stack(hs)  # (T, B, H): the input of layer k+1
        return inputs, self._stack(states), caches

    def backward(self, dout: np.ndarray, caches, dstate=None) -> tuple[np.ndarray, Any, Grads]:
        """BPTT. dout (T, B, H) = ∂J/∂h_t of the top layer from above; dstate = ∂J/∂s_T or None.

        Returns (dx (T, B, I), ∂J/∂s_0 in the state layout, ∂J/∂W for every parameter).
        """
        T, B, _ = dout.shape
        dstates = self._split(self.init_state(B) if dstate is None else dstate)  # zeros: no dJ/ds_T
        grads: Grads = {name: np.zeros_like(p) for name, p in self.params.items()}
        for k in reversed(range(self.num_layers)):
            cell = self.cells[k]
            ds_next = dstates[k]  # dh_next (and dc_next) entering step T from the future
            dx = np.zeros((T, B, cell.input_size), dtype=dout.dtype)
            for t in reversed(range(T)):
                # dh_t = dout_t + dh_next (the LSTM's dc_next rides along)
                ds_t = (dout[t] + ds_next[0], ds_next[1]) if self._paired else dout[t] + ds_next
                dx[t], ds_next, grads_t = cell.backward(ds_t, caches[k][t])
                for name, g in grads_t.items():
                    grads[f"{name}_l{k}"] += g  # ∂J/∂W = Σ_t ∂J/∂W|_(t)
            dstates[k] = ds_next  # ∂J/∂s_0 of layer k
            dout = dx  # the layer below receives dx as its gradient from above
        return dout, self._stack(dstates), grads

    def jacobians(self, caches, layer: int = 0) -> np.ndarray:
        """∂s_t/∂s_{t-1} of one layer for t = 1 … T: (T, B, S, S), S = H (2H for LSTM's (h, c))."""
        return np.stack([self.cells[layer].jacobian(c) for c in caches[layer]])
