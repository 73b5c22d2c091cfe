"""Benchmark: rnnlab's explicit, fused and sequence backends and torch.nn layers in one process.

Run by hand (never a test)::

    python benchmarks/bench_layers.py                        # everything, CPU
    python benchmarks/bench_layers.py --cells lstm --shapes 35,20,650 --repeats 5
    python benchmarks/bench_layers.py --impls fused,torch    # only the fused-vs-torch pairs
    python benchmarks/bench_layers.py --explicit-repeats 1   # the slow loop timed once
    python benchmarks/bench_layers.py --device cuda          # falls back to CPU without a GPU
    python benchmarks/bench_layers.py --cells ln-lstm,ln-gru --impls sequence,torch \
        --shapes "35,20,650;100,32,256;128,64,512"           # LayerNorm cells vs nn.LSTM/GRU

For each cell (lstm, gru, elman-tanh, elman-relu: the registry names with a
torch.nn peer; ln-lstm and ln-gru, timed against the plain nn.LSTM / nn.GRU
they extend, with the four shared tensors copied and the LayerNorm gains at
their init) and shape (T, B, H) — one layer, input size = H, fp32 — the
implementations get the same weights and the same input; an implementation the
cell has not (fused for the LayerNorm cells) is left out. Forward is timed under
``torch.no_grad()``; forward+backward backpropagates ``out.sum() + h_n.sum()``
into the input and all parameters. The runs of the
implementations are interleaved (explicit, fused, torch, then torch, fused,
explicit, …) after warm-up, so load on a shared machine hits them alike; the median is reported as
ms per batch and tokens/s (T·B per second), and the ratio to torch.nn is
``tokens/s(impl) / tokens/s(torch.nn)`` (ratio of the medians), and "paired"
is the median over rounds of t_torch / t_impl measured back to back in one
round, which drifting background load disturbs less. ≥ 0.95 is the target for
fused. ``--clock cpu`` (the default) times with the process's CPU time, which
other processes on a shared machine do not inflate (the benchmark runs one
thread); ``--clock wall`` with wall time.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import time
from collections.abc import Callable

import torch
from torch import nn

from rnnlab.layers import Recurrent

CELLS: dict[str, Callable[..., nn.Module]] = {  # registry name -> its torch.nn peer
    "lstm": nn.LSTM,
    "gru": nn.GRU,
    "elman-tanh": functools.partial(nn.RNN, nonlinearity="tanh"),
    "elman-relu": functools.partial(nn.RNN, nonlinearity="relu"),
    "ln-lstm": nn.LSTM,  # the LayerNorm cells against the plain torch.nn layer they extend
    "ln-gru": nn.GRU,
}
SHAPES = [(35, 20, 650), (100, 32, 128), (128, 64, 512)]
IMPLS = ("explicit", "fused", "sequence", "torch")
MODES = ("forward", "forward+backward")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--device", default="cpu", help="cpu or cuda (falls back to cpu with a message)")
    p.add_argument(
        "--cells", default="lstm,gru,elman-tanh", help="comma list of " + ", ".join(CELLS)
    )
    p.add_argument(
        "--shapes",
        default=";".join(",".join(map(str, s)) for s in SHAPES),
        help="T,B,H;T,B,H;… (input size = H)",
    )
    p.add_argument("--impls", default=",".join(IMPLS),
                   help="comma list of explicit, fused, sequence, torch")
    p.add_argument(
        "--modes", default=",".join(MODES), help="comma list of forward, forward+backward"
    )
    p.add_argument("--repeats", type=int, default=10, help="timed runs per implementation")
    p.add_argument("--warmup", type=int, default=2, help="untimed runs per implementation first")
    p.add_argument(
        "--explicit-repeats",
        type=int,
        default=None,
        help="timed runs of the (slow) explicit loop; default --repeats; its warm-up is at most 1",
    )
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: leave as is)")
    p.add_argument("--clock", default="cpu", choices=("cpu", "wall"),
                   help="cpu: this process's CPU time (robust to a shared machine); wall: elapsed")
    p.add_argument("--markdown", action="store_true", help="also print a markdown table")
    return p.parse_args(argv)


def pick_device(name: str) -> torch.device:
    if name.startswith("cuda") and not torch.cuda.is_available():
        print(f"--device {name}: no CUDA device here, running on the CPU instead", file=sys.stderr)
        return torch.device("cpu")
    return torch.device(name)


def build(cell: str, hidden: int, device: torch.device, impls: list[str]) -> dict[str, nn.Module]:
    """The implementations of ``impls`` the cell has, on torch.nn's weights (LayerNorm gains
    at their init)."""
    ref = CELLS[cell](hidden, hidden, device=device)
    layers: dict[str, nn.Module] = {"torch": ref}
    for backend in ("explicit", "fused", "sequence"):
        if backend not in impls:
            continue
        try:
            layer = Recurrent(cell, hidden, hidden, backend=backend, device=device)
        except ValueError:  # e.g. no fused kernel for a LayerNorm cell
            continue
        layer.load_state_dict(ref.state_dict(), strict=layer.spec.extra_parameters is None)
        layers[backend] = layer
    return {name: layers[name] for name in impls if name in layers}


def make_job(layer: nn.Module, x: torch.Tensor, mode: str) -> Callable[[], None]:
    if mode == "forward":

        def job() -> None:
            with torch.no_grad():
                layer(x)

        return job
    xg = x.clone().requires_grad_()

    def job() -> None:
        out, state = layer(xg)
        h_n = state[0] if isinstance(state, tuple) else state
        (out.sum() + h_n.sum()).backward()
        layer.zero_grad(set_to_none=True)
        xg.grad = None

    return job


def time_interleaved(
    jobs: dict[str, Callable[[], None]],
    repeats: dict[str, int],
    warmup: dict[str, int],
    device: torch.device,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, list[float]]:
    """Seconds of each run per job; the jobs take turns (order reversed every other round)
    so that background load hits each alike."""
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    for name, job in jobs.items():
        for _ in range(warmup[name]):
            job()
    sync()
    spent: dict[str, list[float]] = {name: [] for name in jobs}
    order = list(jobs.items())
    for round_ in range(max(repeats.values())):
        # alternate the order each round, so that no implementation always follows another
        for name, job in order if round_ % 2 == 0 else order[::-1]:
            if round_ >= repeats[name]:
                continue
            t0 = clock()
            job()
            sync()
            spent[name].append(clock() - t0)
    return spent


def paired_ratio(torch_runs: list[float], impl_runs: list[float]) -> float:
    """Median over rounds of t_torch / t_impl within the same round (robust to load drift)."""
    return statistics.median(t / i for t, i in zip(torch_runs, impl_runs, strict=False))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = pick_device(args.device)
    cells = [c.strip() for c in args.cells.split(",") if c.strip()]
    impls = [i.strip() for i in args.impls.split(",") if i.strip()]
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    shapes = [tuple(int(v) for v in s.split(",")) for s in args.shapes.split(";") if s.strip()]
    for name, given, known in (
        ("cells", cells, CELLS),
        ("impls", impls, IMPLS),
        ("modes", modes, MODES),
    ):
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise SystemExit(f"unknown {name} {unknown}; expected some of {list(known)}")
    if any(len(s) != 3 for s in shapes):
        raise SystemExit(f"expected --shapes as T,B,H;T,B,H…, got {args.shapes!r}")
    clock = time.process_time if args.clock == "cpu" and device.type == "cpu" else time.perf_counter
    print(
        f"torch {torch.__version__}, device {device}, threads {torch.get_num_threads()}, "
        f"repeats {args.repeats} (explicit {args.explicit_repeats or args.repeats}; interleaved), "
        f"warmup {args.warmup}, clock {'cpu' if clock is time.process_time else 'wall'}"
    )
    print(
        f"{'cell':<10} {'T,B,H':<12} {'mode':<17} {'impl':<9} {'ms':>9} {'tokens/s':>11} "
        f"{'vs torch':>9} {'paired':>8}"
    )
    rows = []
    explicit_repeats = args.repeats if args.explicit_repeats is None else args.explicit_repeats
    repeats = {name: explicit_repeats if name == "explicit" else args.repeats for name in impls}
    warmup = {name: min(args.warmup, 1) if name == "explicit" else args.warmup for name in impls}
    if min(repeats.values()) < 1:
        raise SystemExit("expected --repeats and --explicit-repeats of at least 1")
    torch.manual_seed(0)
    for cell in cells:
        for steps, batch, hidden in shapes:
            layers = build(cell, hidden, device, impls)
            x = torch.randn(steps, batch, hidden, device=device)  # (T, B, H)
            for mode in modes:
                jobs = {name: make_job(layer, x, mode) for name, layer in layers.items()}
                runs = time_interleaved(jobs, repeats, warmup, device, clock)
                seconds = {name: statistics.median(t) for name, t in runs.items()}
                for name in layers:
                    tps = steps * batch / seconds[name]
                    nan = float("nan")
                    ratio = seconds["torch"] / seconds[name] if "torch" in runs else nan
                    paired = paired_ratio(runs["torch"], runs[name]) if "torch" in runs else nan
                    shape = f"{steps},{batch},{hidden}"
                    rows.append((cell, shape, mode, name, 1e3 * seconds[name], tps, ratio, paired))
                    print(
                        f"{cell:<10} {shape:<12} {mode:<17} {name:<9} "
                        f"{1e3 * seconds[name]:>9.2f} {tps:>11,.0f} {ratio:>8.3f}x {paired:>7.3f}x",
                        flush=True,
                    )
    if args.markdown:
        print("\n| cell | T,B,H | mode | impl | ms / batch | tokens/s | vs torch.nn | paired |")
        print("| --- | --- | --- | --- | ---: | ---: | ---: | ---: |")
        for cell, shape, mode, name, ms, tps, ratio, paired in rows:
            print(
                f"| {cell} | {shape} | {mode} | {name} | {ms:.2f} | {tps:,.0f} | {ratio:.3f} "
                f"| {paired:.3f} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
