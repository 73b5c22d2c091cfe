"""The comparison's report: markdown tables and PNGs from ``compare.run_compare``'s results."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from rnnlab.diagnostics import plots
from rnnlab.training.explosion import MIN_HISTORY, WINDOW, exploding_events


def _geo(values: list[float]) -> float:
    v = np.maximum(np.asarray(values, dtype=float), 1e-300)
    return float(np.exp(np.log(v).mean()))


def _sci(value: float) -> str:
    """1.2e-05; a value at the 1e-300 floor is an underflow even in float64."""
    return "< 1e-300" if value <= 1e-300 else f"{value:.1e}"


def _group(runs: list[dict], *keys: str) -> dict[tuple, list[dict]]:
    out: dict[tuple, list[dict]] = defaultdict(list)
    for r in runs:
        out[tuple(r[k] for k in keys)].append(r)
    return out


def write_report(summary: dict[str, Any], run_dir: Path) -> Path:
    config, runs, showcase = summary["config"], summary["runs"], summary["showcase"]
    cells, distances = config["cells"], sorted(config["distances"])
    clips, chance = config["clip_norms"], 1.0 / config["num_symbols"]
    d_max, clip_show = max(distances), max(clips)
    by = _group(runs, "cell", "distance", "clip")
    lines = [
        "# Delayed recall: Elman vs LSTM vs GRU",
        "",
        f"Task: remember one of K = {config['num_symbols']} symbols across d steps of random "
        f"distractors (M = {config['num_distractors']}); chance accuracy {chance:.3f}. "
        f"H = {config['hidden_size']}, Adam lr {config['lr']}, {config['steps']} steps of "
        f"batch {config['batch_size']}, seeds {list(config['seeds'])}, gated-cell forget bias "
        f"{config['forget_bias']}. Accuracy on {config['eval_size']} fresh sequences.",
        "",
    ]
    # accuracy
    acc_plots = []
    for clip in clips:
        name = "no clipping" if clip == 0 else f"clipping by norm at {clip:g}"
        lines += [f"## Test accuracy, {name}", "",
                  "mean over seeds (min–max); chance " + f"{chance:.3f}", "",
                  "| cell | " + " | ".join(f"d = {d}" for d in distances) + " |",
                  "|---|" + "---|" * len(distances)]
        data: dict[str, dict[int, list[float]]] = {}
        for cell in cells:
            row = []
            for d in distances:
                accs = [r["accuracy"] for r in by[(cell, d, clip)]]
                data.setdefault(cell, {})[d] = accs
                row.append(f"{np.mean(accs):.3f} ({min(accs):.2f}–{max(accs):.2f})")
            lines.append(f"| {cell} | " + " | ".join(row) + " |")
        fname = f"accuracy_vs_distance_clip{clip:g}.png"
        plots.plot_accuracy_vs_distance(data, chance, run_dir / fname, f"Delayed recall, {name}")
        acc_plots.append(fname)
        lines += ["", *(f"![accuracy]({f})" for f in acc_plots[-1:]), ""]
    # gradient reaching the symbol step
    lines += [f"## Gradient reaching the symbol (clip {clip_show:g})", "",
              "attenuation ‖∂J_T/∂s_sym‖ / ‖∂J_T/∂s_T‖ (the share of the gradient at the "
              "last step that reaches the state that has just read the symbol, d steps back), "
              "geometric mean over seeds and probe sequences; at init → after training", "",
              "| cell | " + " | ".join(f"d = {d}" for d in distances) + " |",
              "|---|" + "---|" * len(distances)]
    curves: dict[str, tuple] = {}
    for cell in cells:
        init = [_geo([r["attenuation_init"] for r in by[(cell, d, clip_show)]])
                for d in distances]
        trained = [_geo([r["attenuation_trained"] for r in by[(cell, d, clip_show)]])
                   for d in distances]
        lines.append(f"| {cell} | " + " | ".join(f"{_sci(a)} → {_sci(b)}"
                                                  for a, b in zip(init, trained, strict=True))
                     + " |")
        curves[f"{cell} (init)"] = (distances, init)
        curves[f"{cell} (trained)"] = (distances, trained)
    plots.plot_gradient_vs_distance(curves, run_dir / "grad_at_symbol_vs_distance.png",
                                    "Share of the final gradient reaching the symbol step",
                                    ylabel=plots.FLOW_AT_SYMBOL,
                                    xlabel="distance d (steps)")
    lines += ["", "![gradient at the symbol](grad_at_symbol_vs_distance.png)", ""]
    # training norms and exploding events
    lines += ["## Gradient norms during training", "",
              "max pre-clip global norm over all runs; exploding events (norm > 10 × the median "
              f"of the previous {WINDOW} finite norms, once {MIN_HISTORY} are known: the "
              "trainer's rule), summed over seeds and distances", "",
              "| cell | " + " | ".join(f"clip {c:g}: max ‖g‖ / events" for c in clips) + " |",
              "|---|" + "---|" * len(clips)]
    for cell in cells:
        row = []
        for clip in clips:
            rs = [r for d in distances for r in by[(cell, d, clip)]]
            row.append(f"{max(r['max_grad_norm'] for r in rs):.2g} / "
                       f"{sum(r['exploding_events'] for r in rs)}")
        lines.append(f"| {cell} | " + " | ".join(row) + " |")
    first_seed, clip_hist = config["seeds"][0], min(clips)
    series = {}
    for cell in cells:
        r = next(r for r in by[(cell, d_max, clip_hist)] if r["seed"] == first_seed)
        series[cell] = (list(range(1, len(r["norms"]) + 1)), r["norms"],
                        exploding_events(r["norms"]))
    plots.plot_norm_history(series, run_dir / "grad_norm_history.png",
                            f"Pre-clip gradient norm, d = {d_max}, clip {clip_hist:g}, "
                            f"seed {first_seed}", clip=clip_hist or None)
    lines += ["", "![norm history](grad_norm_history.png)", ""]
    # showcase: flow curves, Jacobian products, spectra, gates
    lines += [f"## One model per cell at d = {d_max} (seed {first_seed}, clip {clip_show:g})", ""]
    flow_init, flow_trained, jac, bounds = {}, {}, {}, {}
    for cell in cells:
        r = next(r for r in by[(cell, d_max, clip_show)] if r["seed"] == first_seed)
        flow_init[cell] = np.asarray(r["flow_init"])
        flow_trained[cell] = np.asarray(r["flow_trained"])
        if cell in showcase:
            jac[cell] = np.asarray(showcase[cell]["jacobian_init"])
            base = showcase[cell]["bound_base_init"]
            if base is not None:
                bounds[cell] = base ** np.arange(len(jac[cell]), dtype=float)
    plots.plot_gradient_vs_distance(flow_init, run_dir / "gradient_flow_init.png",
                                    f"{plots.FLOW} at initialisation")
    plots.plot_gradient_vs_distance(flow_trained, run_dir / "gradient_flow_trained.png",
                                    f"{plots.FLOW} after training")
    plots.plot_gradient_vs_distance(jac, run_dir / "jacobian_products_init.png",
                                    f"{plots.JACOBIAN} at init (NumPy engine) and Elman bound",
                                    ylabel=plots.JACOBIAN_D, bounds=bounds)
    lines += ["![flow at init](gradient_flow_init.png) ![flow trained](gradient_flow_trained.png)",
              "", "![Jacobian products](jacobian_products_init.png)", "",
              "Spectra of W_hh (init → trained):", ""]
    for cell in cells:
        if cell not in showcase:
            continue
        s = showcase[cell]
        lines += [f"- {s['spectrum_init']}", f"  → {s['spectrum']}"]
        sat = ", ".join(f"{k}: {v:.2f}" for k, v in s["saturation"].items())
        lines.append(f"  gate saturation after training (fraction <0.05 or >0.95, tanh |a|>0.95):"
                     f" {sat}")
        acts = {k: np.asarray(v) for k, v in s["activations"].items()}
        plots.plot_heatmaps(acts, run_dir / f"activations_{cell}.png",
                            f"{cell}: gates and hidden state over one sequence (d = {d_max})")
        lines.append(f"  ![{cell}](activations_{cell}.png)")
    seconds = sum(r["seconds"] for r in runs)
    lines += ["", f"{len(runs)} runs, {seconds:.0f} s of training in total.", ""]
    path = run_dir / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
