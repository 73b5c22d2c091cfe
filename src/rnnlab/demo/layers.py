"""Demo section "layers": the backend each layer picks, fused = explicit, and how fast each is.

For Elman (tanh, sigmoid), LSTM and GRU: build a 2-layer bidirectional layer,
copy its weights into an explicit twin, run a padded batch with unsorted
lengths through both, print the largest difference and a small forward timing
(the sigmoid network's fused path is PyTorch's tanh kernel through an identity).
Writes ``layers.json`` (the printed table) under the section's run directory.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import torch

from rnnlab.layers.recurrent import Recurrent
from rnnlab.layers.rnn import GRU, LSTM, RNN


def _time_forwards(
    layers: list[Recurrent], x: torch.Tensor, lengths: torch.Tensor, repeats: int
) -> list[float]:
    """Median seconds of one forward pass (no autograd) per layer, interleaved runs."""
    times: list[list[float]] = [[] for _ in layers]
    with torch.no_grad():
        for layer in layers:
            layer(x, lengths=lengths)  # warm-up
        for _ in range(repeats):  # interleaved, so the shared machine's load hits both alike
            for layer, spent in zip(layers, times, strict=True):
                t0 = time.perf_counter()
                layer(x, lengths=lengths)
                spent.append(time.perf_counter() - t0)
    return [statistics.median(t) for t in times]


def _max_diff(a: object, b: object) -> float:
    pairs = zip(a, b, strict=True) if isinstance(a, tuple) else [(a, b)]
    return max(float((p - q).abs().max()) for p, q in pairs)


def section(run_dir: Path, quick: bool) -> None:
    torch.manual_seed(0)
    steps, batch, size = (20, 8, 32) if quick else (35, 16, 64)
    repeats = 3 if quick else 5
    x = torch.randn(steps, batch, size)  # (T, B, I)
    lengths = torch.randint(1, steps + 1, (batch,))  # unsorted
    lengths[0] = steps
    print(
        f"2-layer bidirectional layers, (T, B, I=H) = ({steps}, {batch}, {size}), "
        f"lengths {sorted(lengths.tolist())}"
    )
    builds = {
        "Elman tanh": lambda **kw: RNN(size, size, 2, "tanh", bidirectional=True, **kw),
        "Elman sigmoid": lambda **kw: RNN(size, size, 2, "sigmoid", bidirectional=True, **kw),
        "LSTM": lambda **kw: LSTM(size, size, 2, bidirectional=True, forget_bias=1.0, **kw),
        "GRU": lambda **kw: GRU(size, size, 2, bidirectional=True, **kw),
    }
    rows = []
    print(
        f"{'layer':<14} {'auto picks':<10} {'max |auto - explicit|':>22} "
        f"{'explicit ms':>12} {'auto ms':>9} {'speed-up':>9}"
    )
    for name, build in builds.items():
        auto = build().eval()
        explicit = build(backend="explicit").eval()
        explicit.load_state_dict(auto.state_dict())
        with torch.no_grad():
            out_a, state_a = auto(x, lengths=lengths)
            out_e, state_e = explicit(x, lengths=lengths)
        diff = max(_max_diff(out_a, out_e), _max_diff(state_a, state_e))
        t_exp, t_auto = _time_forwards([explicit, auto], x, lengths, repeats)
        speedup = "-" if auto.backend_used == "explicit" else f"{t_exp / t_auto:.1f}x"
        rows.append(
            {
                "layer": name,
                "backend": auto.backend_used,
                "max_abs_diff": diff,
                "explicit_ms": 1e3 * t_exp,
                "auto_ms": 1e3 * t_auto,
            }
        )
        print(
            f"{name:<14} {auto.backend_used:<10} {diff:>22.2e} {1e3 * t_exp:>12.1f} "
            f"{1e3 * t_auto:>9.1f} {speedup:>9}"
        )
    print("sigmoid Elman: no PyTorch kernel of its own; fused runs the tanh kernel through")
    print("  σ(a) = (1 + tanh(a/2)) / 2, with W_ih/2, W_hh/4 and b_hh/2 + (W_hh·1)/4 (exact)")
    print(f"times: median of {repeats} interleaved forward passes on this CPU (noisy when shared)")
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "layers.json").write_text(json.dumps(rows, indent=2) + "\n")
