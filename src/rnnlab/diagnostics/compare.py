"""The controlled comparison: Elman (tanh, sigmoid), LSTM and GRU on delayed recall.

Every cell gets the same task, hidden size, optimiser, learning rate, number
of steps, batches (same seeds) and evaluation set; only the recurrence
differs. For each (cell, distance, seed, clipping) it trains a small model and
measures

* test accuracy (chance = 1/K),
* ‖∂J_T/∂s_sym‖, the gradient of the final loss reaching the state that has
  just read the symbol (d steps before the query), and its ratio to ‖∂J_T/∂s_T‖
  (the attenuation over the distance), at initialisation and after training,
* the pre-clip global gradient norm of every step and exploding events
  (``rnnlab.training.explosion.exploding_events``),

and for one seed at the longest distance the full gradient-flow curve, the
exact Jacobian products from the NumPy engine with the Elman bound
(γ σ_max)^d, and gate / hidden-state heatmaps. ``run_compare`` writes all of it
to a run directory: config.toml, results.json, report.md and PNGs.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from rnnlab.cells.spec import cell_names
from rnnlab.config import save_toml
from rnnlab.diagnostics.flow import gradient_flow, reference_jacobian_products
from rnnlab.diagnostics.recall import RecallModel, recall_batch
from rnnlab.diagnostics.saturation import gate_saturation, layer_activations
from rnnlab.diagnostics.spectral import spectra
from rnnlab.training.clipping import parameter_grad_norms
from rnnlab.training.explosion import exploding_events

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CompareConfig:
    cells: tuple[str, ...] = ("elman-tanh", "elman-sigmoid", "lstm", "gru")
    distances: tuple[int, ...] = (10, 50)  # d: steps between the symbol and the query
    seeds: tuple[int, ...] = (0, 1)  # each seed: its own init and its own batches
    clip_norms: tuple[float, ...] = (0.0, 1.0)  # θ for clipping by global norm; 0 = off
    steps: int = 600  # Adam updates per run
    batch_size: int = 32
    hidden_size: int = 32  # H, the same for every cell
    lr: float = 3e-3  # Adam, the same for every cell
    forget_bias: float = 3.0  # LSTM forget / GRU update gate bias: σ(3) ≈ 0.95 kept a step
    num_symbols: int = 8  # K: chance accuracy 1/K
    num_distractors: int = 8  # M
    eval_size: int = 512  # fresh test sequences per (distance, seed)
    probe_size: int = 32  # sequences for the gradient-flow measurements
    threads: int = 1  # torch threads (the runs are tiny; one thread is fastest on a shared CPU)


PRESETS: dict[str, CompareConfig] = {
    "quick": CompareConfig(),
    "full": CompareConfig(distances=(5, 10, 20, 50, 100), seeds=(0, 1, 2), steps=1500),
}


def _check(config: CompareConfig) -> None:
    unknown = sorted(set(config.cells) - set(cell_names()))
    if unknown:
        raise ValueError(f"expected cells from {cell_names()}, got {unknown}")
    if not config.distances or min(config.distances) < 1:
        raise ValueError(f"expected distances >= 1, got {config.distances}")
    if config.steps < 1 or not config.seeds or not config.clip_norms:
        raise ValueError("expected steps >= 1 and at least one seed and one clip setting")
    bad = [s for s in config.seeds if not 0 <= s < 2**53]  # data seeds are 1000·seed + …
    if bad:
        raise ValueError(f"expected seeds in [0, 2**53), got {bad}")


def _flow_loss(model: RecallModel, y: torch.Tensor) -> Callable:
    """J_T = Σ_b −log ŷ_T[b, s_b] on the probe batch, as a function of the last hidden state
    (in float64, like the flow: the read-out is applied with float64 copies of its weights)."""
    W, b = model.head.weight.detach().double(), model.head.bias.detach().double()
    return lambda h_last, _state: F.cross_entropy(h_last @ W.T + b, y, reduction="sum")


def _gradient_at_symbol(model: RecallModel, x: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    """‖∂J_T/∂s_t‖ (geometric mean over the probe batch) for every distance d = T − t.

    The sequence has T = d + 1 steps, so index d is the state s_1 that has just read the
    symbol and index d + 1 the zero initial state.
    """
    return gradient_flow(model.rnn, x, _flow_loss(model, y)).mean()


def train_one(config: CompareConfig, cell: str, distance: int, seed: int,
              clip: float) -> tuple[dict[str, Any], RecallModel]:
    """Train one model and return its measurements (a JSON-able dict) and the model."""
    torch.manual_seed(seed)
    model = RecallModel(cell, config.num_symbols, config.num_distractors, config.hidden_size,
                        config.forget_bias)
    data = torch.Generator().manual_seed(1000 * seed + distance)  # same batches for every cell
    probe = recall_batch(distance, config.probe_size, torch.Generator().manual_seed(7),
                         config.num_symbols, config.num_distractors)
    flow_init = _gradient_at_symbol(model, *probe)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    norms, losses = [], []
    start = time.perf_counter()
    for _ in range(config.steps):
        x, y = recall_batch(distance, config.batch_size, data, config.num_symbols,
                            config.num_distractors)
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        norms_now = parameter_grad_norms(model)
        norm = math.sqrt(sum(n * n for n in norms_now.values()))  # before clipping
        if clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        if math.isfinite(norm):
            optimizer.step()  # a non-finite gradient would poison Adam's moments: skip it
        norms.append(norm)
        losses.append(loss.item())
    seconds = time.perf_counter() - start
    x, y = recall_batch(distance, config.eval_size,
                        torch.Generator().manual_seed(10_000 + 1000 * seed + distance),
                        config.num_symbols, config.num_distractors)
    with torch.no_grad():
        accuracy = (model(x).argmax(-1) == y).double().mean().item()
    flow_trained = _gradient_at_symbol(model, *probe)
    result = {
        "cell": cell, "distance": distance, "seed": seed, "clip": clip,
        "accuracy": accuracy, "final_loss": float(np.mean(losses[-20:])),
        "grad_at_symbol_init": float(flow_init[distance]),
        "grad_at_symbol_trained": float(flow_trained[distance]),
        # ‖∂J_T/∂s_sym‖ / ‖∂J_T/∂s_T‖: the share of the end gradient that reaches the state
        # that has just read the symbol (d steps back), whatever the size of the loss
        "attenuation_init": float(flow_init[distance] / max(flow_init[0], 1e-300)),
        "attenuation_trained": float(flow_trained[distance] / max(flow_trained[0], 1e-300)),
        "max_grad_norm": float(np.nanmax(norms)) if np.isfinite(norms).any() else math.inf,
        "exploding_events": len(exploding_events(norms)),
        "seconds": seconds,
        "norms": norms, "flow_init": flow_init.tolist(), "flow_trained": flow_trained.tolist(),
    }
    return result, model


def run_compare(config: CompareConfig, run_dir: str | Path,
                progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run every (cell, distance, seed, clip) and write the report into ``run_dir``."""
    from rnnlab.diagnostics.report import write_report

    _check(config)
    say = progress or log.info
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    save_toml(config, run_dir / "config.toml")
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(config.threads)
    runs, showcase = [], {}
    d_max, clip_show = max(config.distances), max(config.clip_norms)
    try:
        total = (len(config.cells) * len(config.distances) * len(config.seeds)
                 * len(config.clip_norms))
        for distance in config.distances:
            for cell in config.cells:
                for clip in config.clip_norms:
                    for seed in config.seeds:
                        result, model = train_one(config, cell, distance, seed, clip)
                        runs.append(result)
                        say(f"[{len(runs)}/{total}] {cell:13s} d={distance:<4d} seed={seed} "
                            f"clip={clip:g}: accuracy {result['accuracy']:.3f}, "
                            f"‖∂J/∂s_sym‖ {result['grad_at_symbol_trained']:.2e} "
                            f"({result['seconds']:.1f} s)")
                        if distance == d_max and clip == clip_show and seed == config.seeds[0]:
                            showcase[cell] = _showcase(config, model, distance)
    finally:
        torch.set_num_threads(previous_threads)
    summary = {"config": asdict(config), "runs": runs, "showcase": showcase}
    (run_dir / "results.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    write_report(summary, run_dir)
    say(f"report: {run_dir / 'report.md'}")
    return summary


def _showcase(config: CompareConfig, model: RecallModel, distance: int) -> dict[str, Any]:
    """Pictures' data for one trained model: Jacobian products (NumPy engine), spectra, gates."""
    x, _ = recall_batch(distance, config.probe_size, torch.Generator().manual_seed(7),
                        config.num_symbols, config.num_distractors)
    layer = model.rnn
    jac = reference_jacobian_products(layer, x).mean()
    fresh = RecallModel(model.cell, config.num_symbols, config.num_distractors,
                        config.hidden_size, config.forget_bias)
    fresh.rnn.load_state_dict(_init_state(config, model.cell))
    jac_init = reference_jacobian_products(fresh.rnn, x).mean()
    spec = spectra(layer)[0]
    spec_init = spectra(fresh.rnn)[0]
    acts = layer_activations(layer, x[:, :1])[0]  # one sequence
    return {
        "jacobian_trained": jac.tolist(), "jacobian_init": jac_init.tolist(),
        "spectrum": spec.describe(), "spectrum_init": spec_init.describe(),
        "bound_base": spec.bound_base, "bound_base_init": spec_init.bound_base,
        "saturation": gate_saturation(layer, x),
        "activations": {k: v[:, 0].numpy().tolist() for k, v in acts.items()},
    }


def _init_state(config: CompareConfig, cell: str) -> dict[str, torch.Tensor]:
    """The initial weights of seed ``config.seeds[0]`` (what ``train_one`` started from)."""
    torch.manual_seed(config.seeds[0])
    return RecallModel(cell, config.num_symbols, config.num_distractors, config.hidden_size,
                       config.forget_bias).rnn.state_dict()


def preset(name: str, **overrides: Any) -> CompareConfig:
    """A preset with some fields replaced (None values ignored)."""
    if name not in PRESETS:
        raise ValueError(f"expected preset in {sorted(PRESETS)}, got {name!r}")
    return replace(PRESETS[name], **{k: v for k, v in overrides.items() if v is not None})
