"""``rnnlab diagnose gradients``: gradient-flow diagnostics for a run directory or a config.

A **run directory**: the trained model is rebuilt through its task (``[task]
kind`` in config.toml, the task's ``load_model``: the same code that trained
it, never a guess from weight names), then run once on a random probe batch of
its own input type (token ids for a language model, windows for a
forecaster); every recurrent layer is probed with **the input it received
inside the running model** (layer 1 of a stacked language model gets layer 0's
output, not embedding rows), and the report says what that input was. Its
``metrics.jsonl``, if present, gives the gradient-norm history and the
exploding-gradient events, by the trainer's own rule and the run's
``train.explode_factor``.

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

The report holds, per layer: W_hh spectra and the Elman bound, ‖∂J_T/∂s_t‖ and
the exact Jacobian products against the distance, gate saturation, and a
heatmap of gates and hidden states.
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

from rnnlab.cells.state import state_names_of
from rnnlab.config import from_dict, load_toml
from rnnlab.diagnostics import plots
from rnnlab.diagnostics.flow import gradient_flow, jacobian_products
from rnnlab.diagnostics.layers import layer_spec
from rnnlab.diagnostics.norms import per_layer_norms
from rnnlab.diagnostics.saturation import gate_saturation, layer_activations
from rnnlab.diagnostics.spectral import spectra
from rnnlab.layers import Recurrent
from rnnlab.models.forecaster import ForecastShape
from rnnlab.models.language_model import LanguageModel
from rnnlab.tasks import get_task, load_run_config
from rnnlab.tasks.recall import RecallModel, recall_batch
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


def probe_batch(model: nn.Module, T: int, B: int, seed: int) -> tuple[tuple[Tensor, ...], str]:
    """Random inputs of the model's own type, and what they are (for the report)."""
    g = torch.Generator().manual_seed(seed)
    if isinstance(model, LanguageModel):
        tokens = torch.randint(0, model.vocab_size, (T, B), generator=g)
        return (tokens,), f"{B} sequences of {T} random token ids"
    shape = getattr(model, "shape", None)
    if isinstance(shape, ForecastShape):  # a forecaster or an ensemble of them
        x = torch.randn(B, T, shape.input_size, generator=g)
        known = torch.randn(B, shape.horizon, shape.known_size, generator=g)
        return (x, known), f"{B} windows of {T} steps of N(0, 1) scaled inputs"
    if isinstance(model, RecallModel):
        x, _ = recall_batch(max(1, T - 1), B, g, model.head.out_features,
                            model.rnn.input_size - model.head.out_features - 1)
        return (x,), f"{B} delayed-recall sequences of {T} steps"
    raise ValueError(f"no probe input for a {type(model).__name__}: diagnose a language model, "
                     "a forecaster, a recall run, or a layer described by a config file")


def layers_as_they_run(model: nn.Module, inputs: tuple[Tensor, ...]) -> dict[str, Tensor]:
    """{module name: the input x it received} for every recurrent layer, from one forward pass
    (eval mode, no gradient; a layer called several times keeps its first input)."""
    received: dict[str, Tensor] = {}
    hooks = []
    for name, module in model.named_modules():
        if isinstance(module, Recurrent):
            def remember(_module, args, name=name):
                if args and isinstance(args[0], Tensor):
                    received.setdefault(name, args[0].detach())
            hooks.append(module.register_forward_pre_hook(remember))
    try:
        model.eval()
        with torch.no_grad():
            model(*inputs)
    finally:
        for hook in hooks:
            hook.remove()
    return received


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
        run_config = load_run_config(target)  # a clear error for a folder that is not a run
        explode_factor = run_config.train.explode_factor
        kind = get_task(run_config.kind)
        if kind.load_model is None:
            raise ValueError(f"{target}: the {kind.name!r} task cannot rebuild its model")
        model = kind.load_model(target, "last")
        T, B = length or probe.length, batch_size or probe.batch_size
        inputs, what = probe_batch(model, T, B, probe.seed)
        received = layers_as_they_run(model, inputs)
        modules = dict(model.named_modules())
        layers = {name: (modules[name], x, f"what it received inside the model on {what}")
                  for name, x in received.items()}
        if (target / "metrics.jsonl").is_file():
            history = read_metrics(target / "metrics.jsonl")
        source = f"run directory {target} ({kind.name} task, last checkpoint)"
    else:
        config = from_dict(DiagnoseConfig, load_toml(target))
        probe = config.probe
        torch.manual_seed(probe.seed)
        layer = _layer_from_config(config.model)
        T, B = length or probe.length, batch_size or probe.batch_size
        x = torch.randn(T, B, layer.input_size, generator=torch.Generator().manual_seed(probe.seed))
        layers = {"rnn": (layer, x, f"N(0, 1) noise, {B} sequences of {T} steps")}
        out = Path(out_dir) if out_dir else Path("runs") / f"diagnose-{target.stem}"
        source = f"config {target} (fresh initialisation, seed {probe.seed})"
    out.mkdir(parents=True, exist_ok=True)
    lines = ["# Gradient diagnostics", "", f"Source: {source}. Probe: T = {T}, B = {B}.", ""]
    for name, (layer, x, what) in layers.items():
        lines += _layer_section(name, layer, x, what, out)
    if history:
        lines += _history_section(history, out, explode_factor)
    path = out / "gradients.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _layer_section(name: str, layer: nn.Module, x: Tensor, what: str, out: Path) -> list[str]:
    layer.eval()
    T = x.shape[1 if layer.batch_first else 0]
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
    lines = [f"## Layer `{name}`: {layer.__class__.__name__}, cell {layer_spec(layer).name}, "
             f"H = {layer.hidden_size}, L = {layer.num_layers}", "", f"Probe input: {what}.", ""]
    if layer.bidirectional:
        return [*lines, "Bidirectional: gradient flow through time runs one way; not probed.", ""]
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
