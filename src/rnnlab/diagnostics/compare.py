"""The controlled comparison: Elman (tanh, sigmoid), LSTM and GRU on delayed recall.

Every cell gets the same task, hidden size, optimiser, learning rate, number
of steps, batches (same seeds) and evaluation set; only the recurrence
differs. For each (cell, distance, seed, clipping) it trains a small model and
measures

* test accuracy (chance = 1/K),
* ‖∂J_T/∂s_sym‖, the gradient of the final loss reaching the state that has
  just read the symbol (d steps before the query), and its ratio to ‖∂J_T/∂s_T‖
  (the attenuation over the distance), at initialisation and after training,
* the pre-clip global gradient norm of every step and the exploding events the
  trainer flagged (its one rule, ``rnnlab.training.explosion``),

and for one seed at the longest distance the full gradient-flow curve, the
exact Jacobian products from the NumPy engine with the Elman bound
(γ σ_max)^d, and gate / hidden-state heatmaps. ``run_compare`` writes all of it
to a run directory: config.toml, results.json, report.md and PNGs. Every model
is trained through the one train recipe (:func:`rnnlab.tasks.train`, task
``recall``), each into its own run directory under ``runs/``, with the
Trainer's clipping, logging and checkpoints.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from rnnlab.cells.spec import cell_names, get_cell
from rnnlab.config import save_toml
from rnnlab.diagnostics.flow import gradient_flow, reference_jacobian_products
from rnnlab.diagnostics.saturation import gate_saturation, layer_activations
from rnnlab.diagnostics.spectral import spectra
from rnnlab.tasks import resolve_config, train
from rnnlab.tasks.recall import RecallModel, RecallTask, accuracy, load_model, recall_batch
from rnnlab.training import read_metrics, seed_everything

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


def recall_run_config(config: CompareConfig, cell: str, distance: int, seed: int,
                      clip: float) -> dict[str, Any]:
    """The ``recall`` run of one (cell, distance, seed, clip): what the one recipe trains.

    The same task, batches (seeded by ``seed``), hidden size, optimiser and steps for
    every cell; ``forget_bias`` goes to the cells that have a forget/update gate.
    """
    model: dict[str, Any] = {"cell": cell, "hidden_size": config.hidden_size}
    if get_cell(cell).forget_gate is not None:
        model["forget_bias"] = config.forget_bias
    train: dict[str, Any] = {
        "epochs": 1, "optimizer": "adam", "lr": config.lr, "seed": seed,
        "nonfinite": "skip",  # a non-finite gradient would poison Adam's moments: skip the step
        "progress": False, "log_every": config.steps, "keep_last": 1,
    }
    if clip > 0:
        train["clip_norm"] = clip
    return {
        "task": {"kind": "recall"},
        "recall": {"distance": distance, "num_symbols": config.num_symbols,
                   "num_distractors": config.num_distractors, "batch_size": config.batch_size,
                   "batches_per_epoch": config.steps,
                   "eval_batches": max(1, math.ceil(config.eval_size / config.batch_size))},
        "model": model,
        "train": train,
    }


def train_one(config: CompareConfig, cell: str, distance: int, seed: int, clip: float,
              run_dir: Path) -> tuple[dict[str, Any], RecallModel]:
    """Train one model through the one recipe; return its measurements and the model."""
    run_config = resolve_config(recall_run_config(config, cell, distance, seed, clip))
    seed_everything(seed)  # the recipe seeds the same way before it builds the model:
    fresh = RecallModel(run_config["model"], config.num_symbols, config.num_distractors)
    probe = recall_batch(distance, config.probe_size, torch.Generator().manual_seed(7),
                         config.num_symbols, config.num_distractors)
    flow_init = _gradient_at_symbol(fresh, *probe)  # ... so this is the run's initial model
    train(run_config, run_dir, replace=True)
    model = load_model(run_dir, "last")
    steps = [r for r in read_metrics(run_dir) if r.get("split") == "train"]
    norms = [math.inf if r.get("grad_norm") is None else float(r["grad_norm"]) for r in steps]
    flow_trained = _gradient_at_symbol(model, *probe)
    test = RecallTask(model, run_config["recall"], seed).batches("test", 0)
    measured = {
        "cell": cell, "distance": distance, "seed": seed, "clip": clip,
        "accuracy": accuracy(model, test),
        "final_loss": float(np.mean([r["loss"] for r in steps[-20:] if r.get("loss") is not None])),
        "grad_at_symbol_init": float(flow_init[distance]),
        "grad_at_symbol_trained": float(flow_trained[distance]),
        # ‖∂J_T/∂s_sym‖ / ‖∂J_T/∂s_T‖: the share of the end gradient that reaches the state
        # that has just read the symbol (d steps back), whatever the size of the loss
        "attenuation_init": float(flow_init[distance] / max(flow_init[0], 1e-300)),
        "attenuation_trained": float(flow_trained[distance] / max(flow_trained[0], 1e-300)),
        "max_grad_norm": float(np.nanmax(norms)) if np.isfinite(norms).any() else math.inf,
        "exploding_events": sum(bool(r.get("exploding")) for r in steps),  # the trainer's flags
        "nonfinite_steps": sum(bool(r.get("nonfinite")) for r in steps),
        "seconds": float(steps[-1].get("wall_time", 0.0)) if steps else 0.0,
        "norms": norms, "flow_init": flow_init.tolist(), "flow_trained": flow_trained.tolist(),
        "run_dir": str(run_dir),
    }
    return measured, model


def run_compare(config: CompareConfig, run_dir: str | Path,
                progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run every (cell, distance, seed, clip) and write the report into ``run_dir``."""
    from rnnlab.diagnostics.report import write_report

    _check(config)
    say = progress or log.info
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    save_toml(config, run_dir / "config.toml")
    runs, showcase = [], {}
    d_max, clip_show = max(config.distances), max(config.clip_norms)
    total = len(config.cells) * len(config.distances) * len(config.seeds) * len(config.clip_norms)
    for distance in config.distances:
        for cell in config.cells:
            for clip in config.clip_norms:
                for seed in config.seeds:
                    result, model = train_one(
                        config, cell, distance, seed, clip,
                        run_dir / "runs" / f"{cell}-d{distance}-seed{seed}-clip{clip:g}")
                    runs.append(result)
                    say(f"[{len(runs)}/{total}] {cell:13s} d={distance:<4d} seed={seed} "
                        f"clip={clip:g}: accuracy {result['accuracy']:.3f}, "
                        f"‖∂J/∂s_sym‖ {result['grad_at_symbol_trained']:.2e} "
                        f"({result['seconds']:.1f} s)")
                    if distance == d_max and clip == clip_show and seed == config.seeds[0]:
                        showcase[cell] = _showcase(config, model, distance)
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
    seed_everything(config.seeds[0])  # the initial weights of the model shown
    fresh = RecallModel(model.config, config.num_symbols, config.num_distractors)
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


def preset(name: str, **overrides: Any) -> CompareConfig:
    """A preset with some fields replaced (None values ignored)."""
    if name not in PRESETS:
        raise ValueError(f"expected preset in {sorted(PRESETS)}, got {name!r}")
    return replace(PRESETS[name], **{k: v for k, v in overrides.items() if v is not None})
