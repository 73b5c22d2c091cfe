"""``rnnlab compare TASK``: the RNN beside its neighbours on the same data and budget.

::

    rnnlab compare lm --data ../shared/data/ptb/ptb --budget 10m \\
        --models elman,lstm,gru,transformer,ngram,mlp,cnn \\
        --agreement-data ../shared/data/linzen-agreement-subset --run-dir runs/compare-ptb
    rnnlab compare forecast examples/forecast_a001.toml --models gru,mlp,cnn --budget 300steps
    rnnlab compare lm cfg.toml --set transformer:train.lr=3e-4 --set mlp:model.window=8
    rnnlab compare classify benchmarks/compare_sst.toml --models lstm,transformer --budget cpu:6m

The work is :func:`rnnlab.tasks.compare.compare`; this module maps flags onto it.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from rnnlab.cli.arguments import flag_values

DEFAULT_MODELS = {"lm": "elman,lstm,gru,transformer,ngram,mlp,cnn",
                  "forecast": "elman,lstm,gru,transformer,mlp,cnn"}
FLAGS = {"data": ("data", "path"), "hidden_size": ("model", "hidden_size"),
         "num_layers": ("model", "num_layers"), "lr": ("train", "lr"), "seed": ("train", "seed")}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compare", help="train several models (RNNs, Transformer, CNN, MLP, n-gram) on one "
                        "task with one budget; one report")
    parser.add_argument("task", help="the task family: lm, forecast, or any whose [model] "
                                     "reads through an encoder")
    parser.add_argument("config", nargs="?", type=Path, metavar="CONFIG.toml",
                        help="the shared config (sections as in `rnnlab config TASK`)")
    parser.add_argument("--models", default=None,
                        help="comma list: elman, lstm, gru (any cell), transformer, cnn, mlp, "
                             "ngram / ngram3 … (lm) [default: all of them]")
    parser.add_argument("--budget", default=None,
                        help="the same for every model: wall clock (10m, 90s, 1.5h), CPU time "
                             "of the training process (cpu:10m: fair on a shared machine) or "
                             "steps (500steps); default: the config's epochs")
    parser.add_argument("--run-dir", type=Path, default=None,
                        help="where the runs and the report go (default runs/compare-TASK)")
    parser.add_argument("--set", action="append", default=[], dest="overrides",
                        metavar="[MODEL:]SECTION.FIELD=VALUE",
                        help="override a field for all models, or for one (lstm:train.lr=0.5)")
    parser.add_argument("--agreement-data", type=Path, default=None,
                        help="lm: NAME.text + NAME.gold for the agreement probe, e.g. "
                             "../shared/data/linzen-agreement-subset")
    parser.add_argument("--data", help="data.path (lm: a corpus; forecast: a file or folder; "
                                       "classify, tag: as in their train command)")
    parser.add_argument("--hidden-size", type=int, help="model.hidden_size")
    parser.add_argument("--num-layers", type=int, help="model.num_layers")
    parser.add_argument("--lr", type=float, help="train.lr")
    parser.add_argument("--seed", type=int, help="train.seed")
    parser.add_argument("--quiet", action="store_true", help="no progress bars or log lines")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rnnlab.tasks.compare import CompareSpec, compare, parse_budget, read_base_config

    config = read_base_config(args.config, args.task)
    for (section, name), value in flag_values(args, FLAGS).items():
        if args.task == "forecast" and name == "path":
            value = [value]  # the forecast [data] path is a list of files
        config.setdefault(section, {})[name] = value
    overrides = list(args.overrides)
    if args.quiet:
        logging.getLogger("rnnlab").setLevel(logging.WARNING)
        overrides.append("train.progress=false")
    default = DEFAULT_MODELS.get(args.task, DEFAULT_MODELS["forecast"])
    models = tuple(m.strip() for m in (args.models or default).split(","))
    spec = CompareSpec(args.task, models, parse_budget(args.budget) if args.budget else None,
                       config, tuple(overrides), args.agreement_data)
    out = args.run_dir or Path("runs") / f"compare-{args.task}"
    report = compare(spec, out)
    print((out / "compare.txt").read_text(encoding="utf-8"), end="")
    print(f"report: {report}")
    return 0
