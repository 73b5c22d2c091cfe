"""How the diagnostics see a recurrent layer: its cell, its weights, and one step at a time.

Works with rnnlab's layers of registry cells (``RNN``/``LSTM``/``GRU``/
``Recurrent``) and with ``torch.nn.RNN/LSTM/GRU``, through their public
``forward(x, state)`` and ``state_dict()`` (torch.nn's keys for both) only, so
the diagnostics never depend on a backend.

State layout (the layers'): h (L, B, H) for Elman and GRU, (h, c) for LSTM;
:func:`rnnlab.cells.state.state_vector` flattens it per example into the vector
s_t of length S = L·H (2·L·H for LSTM), ordered [h^{(0)}, …, h^{(L-1)}, c^{(0)}, …].
"""

from __future__ import annotations

from torch import Tensor, nn

from rnnlab.cells.spec import CellSpec, get_cell
from rnnlab.layers import Recurrent


def layer_spec(layer: nn.Module) -> CellSpec:
    """The registry spec of a layer's cell (rnnlab or torch.nn), or a clear TypeError."""
    if isinstance(layer, Recurrent) and layer.spec is not None:
        return layer.spec
    if isinstance(layer, nn.LSTM):
        return get_cell("lstm")
    if isinstance(layer, nn.GRU):
        return get_cell("gru")
    if isinstance(layer, nn.RNN):
        return get_cell({"RNN_TANH": "elman-tanh", "RNN_RELU": "elman-relu"}[layer.mode])
    raise TypeError(
        "expected an rnnlab layer of a registered cell or a torch.nn RNN/LSTM/GRU layer, got "
        + type(layer).__name__
    )


def check_unidirectional(layer: nn.Module) -> None:
    layer_spec(layer)  # a clear error for anything that is not a recurrent layer
    if getattr(layer, "bidirectional", False):
        raise ValueError("expected a unidirectional layer: gradient flow through time "
                         "runs one way; got bidirectional=True")


def recurrent_weights(layer: nn.Module) -> list[dict[str, Tensor]]:
    """Per layer k: {"weight_ih", "weight_hh", ("bias_ih", "bias_hh")} detached from the graph."""
    params = layer.state_dict()  # torch.nn's keys, for rnnlab and torch.nn layers alike
    out = []
    for k in range(layer.num_layers):
        group = {name: params[f"{name}_l{k}"].detach()
                 for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
                 if f"{name}_l{k}" in params}
        out.append(group)
    return out


def step_sequence(layer: nn.Module, x: Tensor, t: int) -> Tensor:
    """The one-step slice x_t shaped as the layer expects: (1, B, I), or (B, 1, I) batch-first."""
    return x[:, t : t + 1] if getattr(layer, "batch_first", False) else x[t : t + 1]


def time_major(layer: nn.Module, x: Tensor) -> Tensor:
    """x as (T, B, I) whatever the layer's batch_first."""
    return x.transpose(0, 1) if getattr(layer, "batch_first", False) else x
