"""What every NumPy reference cell shares: its parameters and the step contract.

Symbols (used in every file of this package):

    T time steps, B batch, I input size, H hidden size, G gates per cell
    (1 Elman, 3 GRU, 4 LSTM), V vocabulary, E embedding size.

Parameters use PyTorch's names and layout, so a ``state_dict`` of
``rnnlab.LSTMCell`` (or ``torch.nn.LSTMCell``) copies straight in:

    weight_ih (G·H, I)   weight_hh (G·H, H)   bias_ih (G·H,)   bias_hh (G·H,)

A cell is one time step. It has three methods, the three things BPTT needs:

    forward(x_t, s_{t-1})   -> (h_t, s_t, cache_t)        the forward equations
    backward(ds_t, cache_t) -> (dx_t, ds_{t-1}, grads_t)  their derivatives, where
                               grads_t = ∂J/∂W|_(t), the contribution of step t alone
    jacobian(cache_t)       -> ∂s_t/∂s_{t-1}  (B, S, S)   for the gradient-flow diagnostics

The state s is h (B, H) for Elman and GRU and the pair (h, c) for LSTM; its
gradient ds has the same structure.
"""

from __future__ import annotations

from typing import Any

import numpy as np

State = Any  # np.ndarray (B, H) or a tuple (h, c) of them
Grads = dict[str, np.ndarray]


class ReferenceCell:
    """Base class: parameter initialisation and input checks. Subclasses write the equations."""

    gates: int = 1  # G: blocks of H rows stacked in weight_ih / weight_hh
    state_size_factor: int = 1  # S = factor · H: 2 for LSTM's (h, c)

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        rng: np.random.Generator | None = None,
        dtype: type = np.float64,
    ) -> None:
        if input_size < 1 or hidden_size < 1:
            raise ValueError(
                f"expected positive input_size and hidden_size, got {input_size}, {hidden_size}"
            )
        rng = np.random.default_rng(0) if rng is None else rng
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        G, H, I = self.gates, hidden_size, input_size
        k = 1.0 / np.sqrt(H)  # PyTorch's default: U(-1/√H, 1/√H) for every parameter
        self.params: dict[str, np.ndarray] = {
            "weight_ih": rng.uniform(-k, k, (G * H, I)).astype(dtype),
            "weight_hh": rng.uniform(-k, k, (G * H, H)).astype(dtype),
        }
        if bias:
            self.params["bias_ih"] = rng.uniform(-k, k, (G * H,)).astype(dtype)
            self.params["bias_hh"] = rng.uniform(-k, k, (G * H,)).astype(dtype)

    # -- helpers shared by the three cells ---------------------------------------------
    @property
    def state_size(self) -> int:
        """S, the length of the flattened state vector (H, or 2H for LSTM)."""
        return self.state_size_factor * self.hidden_size

    def init_state(self, batch_size: int) -> State:
        """s_0 = 0."""
        return np.zeros((batch_size, self.hidden_size), dtype=self.params["weight_hh"].dtype)

    def load_params(self, params: dict[str, Any]) -> None:
        """Copy arrays (NumPy, or anything ``np.asarray`` takes) in, checking names and shapes."""
        missing = sorted(set(self.params) - set(params))
        unknown = sorted(set(params) - set(self.params))
        if missing or unknown:
            raise ValueError(
                f"expected parameters {sorted(self.params)}, got {sorted(params)}"
            )
        for name, value in params.items():
            value = np.asarray(value, dtype=self.params[name].dtype)
            if value.shape != self.params[name].shape:
                raise ValueError(
                    f"expected {name} of shape {self.params[name].shape}, got {value.shape}"
                )
            self.params[name][...] = value  # in place: optimisers and layers share these arrays

    def _pre_activations(self, x: np.ndarray, h_prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(W_ih x + b_ih, W_hh h + b_hh), each (B, G·H), apart because GRU needs them apart."""
        if x.ndim != 2 or x.shape[1] != self.input_size:
            raise ValueError(
                f"expected input of shape (B, {self.input_size}), got {tuple(x.shape)}"
            )
        p = self.params
        a_x = x @ p["weight_ih"].T  # (B, G·H)
        a_h = h_prev @ p["weight_hh"].T  # (B, G·H)
        if self.bias:
            a_x = a_x + p["bias_ih"]
            a_h = a_h + p["bias_hh"]
        return a_x, a_h

    def _weight_grads(
        self, delta_x: np.ndarray, delta_h: np.ndarray, x: np.ndarray, h_prev: np.ndarray
    ) -> Grads:
        """∂J/∂W|_(t) from pre-activation errors δ: ∂J/∂W_ih = δ_xᵀ x, ∂J/∂W_hh = δ_hᵀ h_{t-1}."""
        grads = {"weight_ih": delta_x.T @ x, "weight_hh": delta_h.T @ h_prev}
        if self.bias:
            grads["bias_ih"] = delta_x.sum(axis=0)
            grads["bias_hh"] = delta_h.sum(axis=0)
        return grads

    def jacobian(self, cache) -> np.ndarray:
        """∂s_t/∂s_{t-1} (B, S, S) from the cell's own backward, one unit vector of ds_t at a
        time (row k = the backward of e_k); cells with a closed form override this."""
        B, H = _first_array(cache).shape[0], self.hidden_size
        S, parts = self.state_size, self.state_size_factor
        rows = []
        for k in range(S):
            e = np.zeros((B, S))
            e[:, k] = 1.0
            ds = tuple(e[:, j * H:(j + 1) * H] for j in range(parts))
            _, dprev, _ = self.backward(ds if parts > 1 else ds[0], cache)
            rows.append(np.concatenate(dprev, axis=1) if parts > 1 else dprev)
        return np.stack(rows, axis=1)  # (B, S, S): [b, k, :] = ∂s_t[k]/∂s_{t-1}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.input_size}, {self.hidden_size}, bias={self.bias})"


def _first_array(tree: Any) -> np.ndarray:
    """The first array in a nested tuple (a cache starts with x (B, I) or a nested cache)."""
    while not isinstance(tree, np.ndarray):
        tree = tree[0]
    return tree
