"""Gate saturation: how many gate activations sit where their derivative is nearly zero.

Definition (thresholds low = 0.05, high = 0.95):

* sigmoid gates (LSTM i, f, o; GRU r, z; the sigmoid Elman's h) are saturated
  when a < 0.05 or a > 0.95, where σ' = a(1 − a) < 0.0475 (a fifth of its peak 1/4);
* tanh units (LSTM g, GRU n, the tanh Elman's h) when |a| > 0.95, where
  tanh' = 1 − a² < 0.0975 (a tenth of its peak 1);
* relu units have no saturation and are left out.

A saturated unit passes almost no gradient through its nonlinearity. For the
forget gate, saturation near 1 is the *good* kind: f_t ≈ 1 is what lets the
error flow along c_t unchanged.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from rnnlab.cells.base import RecurrentCell
from rnnlab.cells.spec import CellSpec, get_cell
from rnnlab.diagnostics.layers import layer_spec, recurrent_weights, time_major

LOW, HIGH = 0.05, 0.95
SIGMOID_GATES = {"i", "f", "o", "r", "z"}


def saturation_fractions(
    gates: dict[str, Any], cell: str | CellSpec, low: float = LOW, high: float = HIGH
) -> dict[str, float]:
    """Fraction of saturated activations per gate of the registry ``cell`` (rule: module doc)."""
    if not 0.0 < low < high < 1.0:
        raise ValueError(f"expected 0 < low < high < 1, got low={low}, high={high}")
    φ = get_cell(cell).options.get("nonlinearity")  # the Elman cells' h = φ(…)
    out = {}
    for name, a in gates.items():
        a = torch.as_tensor(a).detach()
        if name == "h" and φ == "relu":
            continue
        sigmoid_like = name in SIGMOID_GATES or (name == "h" and φ == "sigmoid")
        saturated = (a < low) | (a > high) if sigmoid_like else a.abs() > high
        out[name] = saturated.double().mean().item()
    return out


def _cell_for(spec: CellSpec, weights: dict[str, Tensor]) -> nn.Module:
    I, H = weights["weight_ih"].shape[1], weights["weight_hh"].shape[1]
    cell = RecurrentCell(spec, I, H, "bias_ih" in weights, dtype=weights["weight_ih"].dtype)
    cell.load_state_dict(weights)
    return cell.to(weights["weight_ih"].device)


@torch.no_grad()
def layer_activations(layer: nn.Module, x: Tensor) -> list[dict[str, Tensor]]:
    """Per stacked layer: every gate's activations and the hidden state h, each (T, B, H).

    The layer's weights are loaded into rnnlab cells and stepped with ``gates()``
    (whatever backend the layer runs), dropout off; x is the layer's input.
    """
    spec = layer_spec(layer)
    inputs = time_major(layer, x)  # (T, B, I)
    result = []
    for weights in recurrent_weights(layer):
        cell = _cell_for(spec, weights)
        state = None
        per_gate: dict[str, list[Tensor]] = {}
        hs = []
        for t in range(inputs.shape[0]):
            gates = cell.gates(inputs[t], state)
            for name, a in gates.items():
                per_gate.setdefault(name, []).append(a)
            h, state = cell(inputs[t], state)
            hs.append(h)
        acts = {name: torch.stack(v) for name, v in per_gate.items()}
        acts["hidden"] = torch.stack(hs)
        result.append(acts)
        inputs = acts["hidden"]
    return result


def gate_saturation(
    layer: nn.Module, x: Tensor, low: float = LOW, high: float = HIGH
) -> dict[str, float]:
    """{"l{k}.{gate}": fraction saturated} for a layer run on input x (Elman: gate "h")."""
    spec = layer_spec(layer)
    out = {}
    for k, acts in enumerate(layer_activations(layer, x)):
        gates = {g: a for g, a in acts.items() if g != "hidden"}
        for g, frac in saturation_fractions(gates, spec, low, high).items():
            out[f"l{k}.{g}"] = frac
    return out


class GateSaturationCallback:
    """A Trainer callback logging gate saturation of every recurrent layer in the model.

    It hooks each rnnlab / torch.nn RNN, LSTM and GRU module to remember the
    input of its latest forward pass (the first ``max_batch`` examples), and
    every ``every`` steps returns {"saturation/<module>.l{k}.{gate}": fraction}
    for the trainer to write into metrics.jsonl.
    """

    def __init__(self, every: int = 50, low: float = LOW, high: float = HIGH,
                 max_batch: int = 16) -> None:
        if every < 1:
            raise ValueError(f"expected every >= 1, got {every}")
        self.every, self.low, self.high, self.max_batch = every, low, high, max_batch
        self._inputs: dict[str, Tensor] = {}  # latest input of each hooked layer
        self._layers: dict[str, nn.Module] = {}
        self._hooked: set[int] = set()

    def attach(self, model: nn.Module) -> None:
        """Hook the recurrent layers of ``model`` (called on the first step automatically)."""
        for name, module in model.named_modules():
            if id(module) in self._hooked:
                continue
            try:
                layer_spec(module)
            except TypeError:
                continue  # not a recurrent layer
            self._hooked.add(id(module))
            self._layers[name or "rnn"] = module
            module.register_forward_pre_hook(self._remember(name or "rnn", module))

    def _remember(self, name: str, module: nn.Module):
        batch_dim = 0 if getattr(module, "batch_first", False) else 1

        def hook(_module: nn.Module, args: tuple) -> None:
            x = args[0] if args else None
            if isinstance(x, Tensor) and x.dim() == 3:  # padded input; packed input is skipped
                n = min(self.max_batch, x.shape[batch_dim])
                self._inputs[name] = x.detach().narrow(batch_dim, 0, n)

        return hook

    def on_step_end(self, trainer: Any, step: int, result: Any) -> dict[str, float] | None:
        model = getattr(getattr(trainer, "task", None), "model", None)
        if model is not None and not self._hooked:
            self.attach(model)
        if step % self.every or not self._inputs:
            return None
        out = {}
        for name, x in self._inputs.items():
            module = self._layers[name]
            for key, frac in gate_saturation(module, x, self.low, self.high).items():
                out[f"saturation/{name}.{key}"] = frac
        return out
