"""``rnnlab diagnose gradients``: gradient-flow diagnostics for a run directory or a config.

A **run directory** (what the trainer writes): the weights of its newest good
checkpoint (or any ``*.safetensors`` in it) are searched for recurrent layers —
every prefix with ``weight_hh_l0`` — and each one is rebuilt as an rnnlab layer
(its kind read from the gate count G = rows(W_hh)/H: 1 Elman, 3 GRU, 4 LSTM;
the ``cell`` named in config.toml when it has G gate blocks, else elman-tanh,
gru, lstm). Its
``metrics.jsonl``, if present, gives the gradient-norm history and the
exploding-gradient events.

A **config** (TOML) describes a freshly initialised layer, to look at what an
architecture does before any training::

    [model]
    cell = "lstm"            # a registry name: elman-tanh | elman-sigmoid | elman-relu | lstm | gru
    input_size = 16
    hidden_size = 32
    num_layers = 1
    forget_bias = 3.0        # LSTM forget / GRU update gate bias (leave out: PyTorch's init)
    [probe]
    length = 50              # T
    batch_size = 16
    seed = 0

Each layer is driven by a probe input (rows of the model's embedding for
random tokens when one fits, else N(0, 1) noise) and the report holds: W_hh
spectra and the Elman bound, ‖∂J_T/∂s_t‖ and the exact Jacobian products
against the distance, gate saturation, and a heatmap of gates and hidden states.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from rnnlab.cells.spec import CELLS, get_cell
from rnnlab.cells.state import state_names_of
from rnnlab.config import from_dict, load_toml
from rnnlab.diagnostics import plots
from rnnlab.diagnostics.flow import gradient_flow, jacobian_products
from rnnlab.diagnostics.layers import layer_spec
from rnnlab.diagnostics.norms import per_layer_norms
from rnnlab.diagnostics.saturation import gate_saturation, layer_activations
from rnnlab.diagnostics.spectral import spectra
from rnnlab.layers import Recurrent
from rnnlab.training.config import TrainConfig
from rnnlab.training.explosion import MIN_HISTORY, WINDOW, exploding_events
from rnnlab.training.metrics import read_metrics

log = logging.getLogger(__name__)
MAX_JACOBIAN_STATE = 256  # exact Jacobians cost S backward passes a step


@dataclass(frozen=True)
class ModelSection:
    cell: str = "lstm"  # a registry name (rnnlab.cells.spec.cell_names())
    input_size: int = 16
    hidden_size: int = 32
    num_layers: int = 1
    forget_bias: float | None = None  # LSTM forget / GRU update gate bias; None: PyTorch's init


@dataclass(frozen=True)
class ProbeSection:
    length: int = 50  # T of the probe sequence
    batch_size: int = 16
    seed: int = 0


@dataclass(frozen=True)
class DiagnoseConfig:
    model: ModelSection = field(default_factory=ModelSection)
    probe: ProbeSection = field(default_factory=ProbeSection)


def _layer_from_config(model: ModelSection) -> nn.Module:
    return Recurrent(model.cell, model.input_size, model.hidden_size, model.num_layers,
                     forget_bias=model.forget_bias)


def _find_cell(data: Any) -> str | None:
    """The first registry name under a ``cell`` key of a run's config, if any."""
    if isinstance(data, dict):
        for k, v in data.items():
            if k == "cell" and isinstance(v, str) and v in CELLS:
                return v
            found = _find_cell(v)
            if found:
                return found
    return None


def _weights_file(run_dir: Path) -> Path | None:
    if (run_dir / "checkpoints").is_dir():
        from rnnlab.training import latest_good_checkpoint

        ckpt = latest_good_checkpoint(run_dir)
        if ckpt is not None:
            return ckpt / "model.safetensors"
    found = sorted(run_dir.glob("*.safetensors"))
    return found[0] if found else None


def layers_from_state_dict(tensors: dict[str, Tensor],
                           cell: str | None = None) -> dict[str, nn.Module]:
    """Rebuild every unidirectional recurrent layer found in a state dict, by key prefix.

    The registry ``cell`` is used for layers with its number of gate blocks G;
    others get elman-tanh (G = 1), gru (3) or lstm (4).
    """
    layers = {}
    for key in sorted(tensors):
        m = re.fullmatch(r"(.*)weight_hh_l0", key)
        if not m:
            continue
        prefix = m[1]
        if f"{prefix}weight_hh_l0_reverse" in tensors:
            log.warning("skipping bidirectional layer %r", prefix)
            continue
        L = 1 + max(int(re.fullmatch(rf"{re.escape(prefix)}weight_hh_l(\d+)", k)[1])
                    for k in tensors if re.fullmatch(rf"{re.escape(prefix)}weight_hh_l\d+", k))
        W_hh, W_ih = tensors[f"{prefix}weight_hh_l0"], tensors[f"{prefix}weight_ih_l0"]
        H = W_hh.shape[1]
        G = W_hh.shape[0] // H
        bias = f"{prefix}bias_ih_l0" in tensors
        by_gates = {1: "elman-tanh", 3: "gru", 4: "lstm"}
        if cell is not None and get_cell(cell).num_gates == G:
            by_gates[G] = cell
        if G not in by_gates:
            raise ValueError(f"{prefix}weight_hh_l0: expected 1, 3 or 4 gate blocks of H = {H} "
                             f"rows, got shape {tuple(W_hh.shape)}")
        layer = Recurrent(by_gates[G], W_ih.shape[1], H, L, bias=bias, dtype=W_hh.dtype)
        own = {k[len(prefix):]: v for k, v in tensors.items()
               if k.startswith(prefix) and re.fullmatch(r"(weight|bias)_(ih|hh)_l\d+",
                                                        k[len(prefix):])}
        layer.load_state_dict(own)
        layers[prefix.rstrip(".") or "rnn"] = layer
    return layers


def diagnose_gradients(target: str | Path, out_dir: str | Path | None = None,
                       length: int | None = None, batch_size: int | None = None) -> Path:
    """Write gradients.md and PNGs for a run directory or a config file; return the report path."""
    target = Path(target)
    if not target.exists():
        raise FileNotFoundError(f"expected a run directory or a config file, got {target}")
    probe = ProbeSection()
    history: list[dict[str, Any]] = []
    explode_factor = TrainConfig.explode_factor  # the run's own, when it has a config.toml
    if target.is_dir():
        out = Path(out_dir) if out_dir else target / "diagnostics"
        config_path = target / "config.toml"
        run_config = load_toml(config_path) if config_path.is_file() else {}
        cell = _find_cell(run_config) if run_config else None
        explode_factor = run_config.get("train", {}).get("explode_factor", explode_factor)
        weights = _weights_file(target)
        layers, embedding = {}, None
        if weights is not None:
            from safetensors.torch import load_file

            tensors = load_file(str(weights))
            layers = layers_from_state_dict(tensors, cell)
            embedding = next((v for k, v in tensors.items() if k.endswith("embedding.weight")
                              or k.endswith("encoder.weight")), None)
        if (target / "metrics.jsonl").is_file():
            history = read_metrics(target / "metrics.jsonl")
        if not layers and not history:
            raise ValueError(f"{target}: expected recurrent weights (*.safetensors or "
                             "checkpoints/) or a metrics.jsonl, found neither")
        source = f"run directory {target}" + (f", weights {weights}" if weights else "")
    else:
        config = from_dict(DiagnoseConfig, load_toml(target))
        probe, embedding = config.probe, None
        torch.manual_seed(probe.seed)
        layers = {"rnn": _layer_from_config(config.model)}
        out = Path(out_dir) if out_dir else Path("runs") / f"diagnose-{target.stem}"
        source = f"config {target} (fresh initialisation, seed {probe.seed})"
    T = length or probe.length
    B = batch_size or probe.batch_size
    out.mkdir(parents=True, exist_ok=True)
    lines = ["# Gradient diagnostics", "", f"Source: {source}. Probe: T = {T}, B = {B}.", ""]
    for name, layer in layers.items():
        lines += _layer_section(name, layer, T, B, probe.seed, embedding, out)
    if history:
        lines += _history_section(history, out, explode_factor)
    path = out / "gradients.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _probe_input(layer: nn.Module, T: int, B: int, seed: int, embedding: Tensor | None) -> Tensor:
    g = torch.Generator().manual_seed(seed)
    dtype = layer.weight_hh_l0.dtype
    if embedding is not None and embedding.shape[1] == layer.input_size:
        tokens = torch.randint(0, embedding.shape[0], (T, B), generator=g)
        return embedding[tokens].to(dtype)
    return torch.randn(T, B, layer.input_size, generator=g).to(dtype)


def _layer_section(name: str, layer: nn.Module, T: int, B: int, seed: int,
                   embedding: Tensor | None, out: Path) -> list[str]:
    layer.eval()
    x = _probe_input(layer, T, B, seed, embedding)
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
    lines = [f"## Layer `{name}`: {layer.__class__.__name__}, cell {layer_spec(layer).name}, "
             f"H = {layer.hidden_size}, L = {layer.num_layers}", ""]
    specs = spectra(layer)
    lines += [f"- {s.describe()}" for s in specs]
    flow = gradient_flow(layer, x).mean()
    curves = {rf"{plots.FLOW} ($J_T = u^\top h_T$)": flow}
    S = layer.hidden_size * layer.num_layers * len(state_names_of(layer))
    bounds = {}
    if S <= MAX_JACOBIAN_STATE:
        jac = jacobian_products(layer, x).mean()
        curves[f"{plots.JACOBIAN} (exact)"] = jac
        if layer.num_layers == 1 and specs[0].bound_base is not None:
            bounds[layer_spec(layer).name] = specs[0].bound(np.arange(T + 1))
    d = [1, 10, T] if T >= 10 else [1, T]
    lines += ["", "| distance d | " + " | ".join(str(k) for k in d) + " |",
              "|---|" + "---|" * len(d)]
    for label, c in curves.items():
        lines.append(f"| {label} | " + " | ".join(f"{c[k]:.2e}" for k in d) + " |")
    plots.plot_gradient_vs_distance(curves, out / f"gradient_flow_{safe}.png",
                                    f"{name}: gradient flow through time", bounds=bounds)
    sat = gate_saturation(layer, x)
    lines += ["", "Gate saturation (sigmoid gates < 0.05 or > 0.95; tanh units |a| > 0.95): "
              + ", ".join(f"{k}: {v:.2f}" for k, v in sat.items()),
              "", f"![gradient flow](gradient_flow_{safe}.png)"]
    acts = layer_activations(layer, x[:, :1])[-1]  # top layer, one sequence
    plots.plot_heatmaps({k: v[:, 0].numpy() for k, v in acts.items()},
                        out / f"activations_{safe}.png",
                        f"{name}: gates and hidden state (top layer, one probe sequence)")
    lines += [f"![activations](activations_{safe}.png)", ""]
    return lines


def _history_section(history: list[dict[str, Any]], out: Path, factor: float) -> list[str]:
    steps = [r for r in history if isinstance(r.get("grad_norm"), (int, float))]
    if not steps:
        return ["## Training history", "", "metrics.jsonl has no grad_norm records.", ""]
    norms = [float(r["grad_norm"]) for r in steps]
    xs = [int(r.get("step", i)) for i, r in enumerate(steps)]
    events = exploding_events(norms, factor)  # the trainer's rule, with the run's factor
    plots.plot_norm_history({"run": (xs, norms, events)}, out / "grad_norm_history.png",
                            "Global gradient norm before clipping")
    lines = ["## Training history", "",
             f"{len(norms)} steps; pre-clip ‖g‖ median {np.median(norms):.3g}, max "
             f"{max(norms):.3g}; {len(events)} exploding events (> {factor:g} × the median of "
             f"the previous {WINDOW} norms, once {MIN_HISTORY} are known)"
             + (f" at steps {[xs[i] for i in events[:20]]}" if events else "") + ".", "",
             "![norm history](grad_norm_history.png)", ""]
    saturation = next((r for r in reversed(history)
                       if any(k.startswith("saturation/") for k in r)), None)
    if saturation is not None:
        lines += [f"Gate saturation logged by the trainer at step {saturation.get('step', '?')}: "
                  + ", ".join(f"{k[len('saturation/'):]}: {v:.2f}" for k, v in saturation.items()
                              if k.startswith("saturation/")), ""]
    last = next((r for r in reversed(history) if any(k.startswith("grad_norm/") for k in r)),
                None)
    if last is not None:
        per_param = {k[len("grad_norm/"):]: v for k, v in last.items()
                     if k.startswith("grad_norm/")}
        lines += [f"Per-layer gradient norms at step {last.get('step', '?')}:", "",
                  "| layer | ‖g‖ |", "|---|---|"]
        lines += [f"| {k} | {v:.3g} |" for k, v in sorted(per_layer_norms(per_param).items())]
        lines.append("")
    return lines
