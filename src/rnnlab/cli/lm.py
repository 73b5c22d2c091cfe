"""``rnnlab lm train|evaluate|generate|next|agreement``: language models from a run directory.

::

    rnnlab lm train --corpus shipped:pt-bosque --run-dir runs/lm-pt --set train.epochs=5
    rnnlab lm train CONFIG.toml --run-dir runs/ptb          # a config like examples/lm_ptb.toml
    rnnlab lm evaluate runs/lm-pt --split test
    rnnlab lm generate runs/lm-pt --prompt "o governo" --temperature 0.8 --seed 1
    rnnlab lm next runs/lm-pt "Fui ao posto de gasolina abastecer o ___"
    rnnlab lm next runs/lm-pt --sentence "o presidente disse que não"
    rnnlab lm agreement runs/ptb --data ../shared/data/linzen-agreement-subset
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from rnnlab.cli.arguments import add_training_flags

LM_TRAIN_DEFAULTS = {"carry_state": True, "clip_norm": 0.25}  # a stream task: TBPTT + clipping


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "lm", help="language models: train, evaluate, generate, next word, agreement probe"
    )
    verbs = parser.add_subparsers(dest="verb", metavar="VERB")
    parser.set_defaults(func=lambda args: parser.print_help() or 2)

    train = verbs.add_parser("train", help="train a language model into a run directory")
    train.add_argument(
        "config",
        nargs="?",
        type=Path,
        metavar="CONFIG.toml",
        help="sections [data] [model] [lm] [train]; flags and --set override it",
    )
    train.add_argument("--run-dir", type=Path, required=True, help="where the run is written")
    train.add_argument("--corpus", help="data.path: file, folder, folder/prefix or shipped:NAME")
    train.add_argument("--level", choices=("word", "char", "bpe"), help="data.level")
    add_training_flags(train)
    train.add_argument(
        "--resume",
        action="store_true",
        help="continue the run in --run-dir from its newest good checkpoint",
    )
    train.set_defaults(func=run_train)

    evaluate = verbs.add_parser("evaluate", help="loss, perplexity and bits per token of a split")
    _run_dir_args(evaluate)
    evaluate.add_argument("--split", default="test", choices=("train", "valid", "test"))
    evaluate.add_argument("--corpus", help="score another corpus (same layouts as training)")
    evaluate.set_defaults(func=run_evaluate)

    generate = verbs.add_parser("generate", help="sample text (streamed as it is made)")
    _run_dir_args(generate)
    generate.add_argument(
        "prompt", nargs="?", default="", help="text that primes the state (as `lm next` takes it)"
    )
    generate.add_argument("--prompt", dest="prompt", help="the same, as an option")
    generate.add_argument("--max-tokens", type=int, default=50)
    generate.add_argument("--temperature", type=float, default=1.0, help="0 = greedy")
    generate.add_argument("--top-k", type=int, default=0)
    generate.add_argument("--top-p", type=float, default=1.0)
    generate.add_argument("--seed", type=int, default=None, help="same seed, same text")
    generate.add_argument(
        "--beam",
        type=int,
        default=0,
        metavar="WIDTH",
        help="beam search with this width instead of sampling",
    )
    generate.add_argument("--stop-at-eos", action="store_true", help="end at the sentence end")
    generate.add_argument("--allow-unk", action="store_true", help="let <unk> be generated")
    generate.set_defaults(func=run_generate)

    nxt = verbs.add_parser("next", help="the top-k next tokens after a prompt, with probabilities")
    _run_dir_args(nxt)
    nxt.add_argument("prompt", nargs="?", default=None, help='e.g. "abastecer o ___"')
    nxt.add_argument("-k", type=int, default=10, help="how many tokens to list")
    nxt.add_argument("--sentence", help="print the probability of this whole sentence instead")
    nxt.set_defaults(func=run_next)

    agreement = verbs.add_parser("agreement", help="subject-verb agreement accuracy")
    _run_dir_args(agreement)
    agreement.add_argument(
        "--data",
        type=Path,
        default=None,
        help="NAME.text + NAME.gold (file, NAME or folder); default: the "
        "shared linzen-agreement-subset",
    )
    agreement.add_argument("--limit", type=int, default=None, help="score the first N only")
    agreement.set_defaults(func=run_agreement)


def _run_dir_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    parser.add_argument("--which", default="best", choices=("best", "last"), help="weights")
    parser.add_argument("--device", default="cpu", help="cpu or cuda")


def lm_config(
    source: Path | dict[str, Any] | None,
    overrides: list[str],
    *,
    corpus: str | None = None,
    level: str | None = None,
) -> dict[str, Any]:
    """The full typed config of an LM run: defaults < CONFIG.toml (or a dict) < flags < --set."""
    from rnnlab.cli.lm_task import LMDataConfig, LMObjectiveConfig
    from rnnlab.config import apply_overrides, from_dict, load_toml, to_dict
    from rnnlab.models.language_model import LMConfig
    from rnnlab.training import TrainConfig

    if isinstance(source, dict):
        data = {k: dict(v) if isinstance(v, dict) else v for k, v in source.items()}
    else:
        data = load_toml(source) if source is not None else {}
    data.setdefault("train", {})
    for key, value in LM_TRAIN_DEFAULTS.items():
        data["train"].setdefault(key, value)
    if corpus is not None:
        data.setdefault("data", {})["path"] = corpus
    if level is not None:
        data.setdefault("data", {})["level"] = level
    data = apply_overrides(data, overrides)
    kind = data.get("task", {}).get("kind", "lm")
    if kind != "lm":
        raise ValueError(f'expected [task] kind = "lm" (or none), got {kind!r}')
    return {
        "task": {"kind": "lm"},
        "data": to_dict(from_dict(LMDataConfig, data.get("data", {}))),
        "model": to_dict(from_dict(LMConfig, data.get("model", {}))),
        "lm": to_dict(from_dict(LMObjectiveConfig, data.get("lm", {}))),
        "train": to_dict(from_dict(TrainConfig, data["train"])),
    }


def run_train(args: argparse.Namespace) -> int:
    from rnnlab.cli.lm_task import build_lm_task
    from rnnlab.config import from_dict, load_toml, parse_override
    from rnnlab.training import TrainConfig, Trainer, seed_everything

    overrides: dict[str, Any] = {}
    if args.resume:
        if args.config is not None or args.corpus or args.level:
            raise ValueError("--resume keeps the run's own config; change train.* with --set")
        config = load_toml(args.run_dir / "config.toml")
        for text in args.overrides:
            path, value = parse_override(text)
            if len(path) != 2 or path[0] != "train":
                raise ValueError(f"--resume can only override train.* fields, got {text!r}")
            overrides[path[1]] = value
    else:
        config = lm_config(args.config, args.overrides, corpus=args.corpus, level=args.level)
    if args.quiet:
        overrides["progress"] = False
    train_cfg = from_dict(TrainConfig, {**config["train"], **overrides})
    seed_everything(train_cfg.seed)  # the initial weights depend on it
    task = build_lm_task(config, args.run_dir)
    if args.resume:
        trainer = Trainer.resume(task, args.run_dir, overrides=overrides)
    else:
        extra = {k: v for k, v in config.items() if k != "train"}
        trainer = Trainer(task, train_cfg, args.run_dir, extra_config=extra)
    summary = trainer.fit()
    if not args.quiet:
        print(json.dumps(summary, indent=1, default=str))
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from rnnlab.cli.lm_task import load_lm, prepare_data
    from rnnlab.evaluation.language import evaluate_stream, format_table, unigram_baseline

    lm = load_lm(args.run_dir, args.which, args.device)
    data_cfg = (
        lm.data
        if args.corpus is None
        else replace(lm.data, path=args.corpus, valid_fraction=0.0, test_fraction=0.0)
    )
    prepared = prepare_data(replace(data_cfg, max_train_tokens=None), lm.tokenizer)
    if args.split not in prepared.ids:
        raise ValueError(f"the corpus {data_cfg.path} has no {args.split!r} split")
    ids = prepared.ids[args.split]
    score = evaluate_stream(lm.model, ids, batch_size=lm.data.eval_batch_size, bptt=lm.data.bptt)
    base = unigram_baseline(prepared.ids["train"], ids, lm.tokenizer.vocab_size)
    rows = [
        ("model", f"{score.loss:.4f}", f"{score.perplexity:.2f}", f"{score.bits_per_token:.4f}"),
        ("unigram", f"{base.loss:.4f}", f"{base.perplexity:.2f}", f"{base.bits_per_token:.4f}"),
    ]
    print(
        f"{args.split} split of {data_cfg.path}: {score.tokens} predictions, "
        f"vocabulary {lm.tokenizer.vocab_size} ({lm.tokenizer.kind})"
    )
    print(format_table(rows, ["", "nats/token", "perplexity", "bits/token"]))
    return 0


def run_generate(args: argparse.Namespace) -> int:
    from rnnlab.cli.lm_task import load_lm
    from rnnlab.generation import SamplingConfig, beam_search, generate

    lm = load_lm(args.run_dir, args.which, args.device)
    tok = lm.tokenizer
    prompt = tok.encode(args.prompt)
    banned = () if args.allow_unk else (tok.unk_id,)
    if args.beam:
        hyps = beam_search(
            lm.model,
            prompt,
            start_id=tok.eos_id,
            eos_id=tok.eos_id,
            beam_width=args.beam,
            max_tokens=args.max_tokens,
            banned=banned,
        )
        for h in hyps:
            print(f"{h.log_prob:9.3f}  {args.prompt} {tok.decode(h.ids).strip()}")
        return 0
    config = SamplingConfig(
        temperature=args.temperature,
        top_k=args.top_k,
        top_p=args.top_p,
        max_tokens=args.max_tokens,
        seed=args.seed,
        stop_at_eos=args.stop_at_eos,
        banned=banned,
    )
    sys.stdout.write(args.prompt + (" " if args.prompt and tok.kind == "word" else ""))
    made: list[int] = []
    shown = ""
    for token in generate(lm.model, prompt, config, start_id=tok.eos_id, eos_id=tok.eos_id):
        made.append(token)
        text = tok.decode(made)
        sys.stdout.write(text[len(shown) :])  # stream: print each piece as it is made
        sys.stdout.flush()
        shown = text
    sys.stdout.write("\n")
    return 0


def run_next(args: argparse.Namespace) -> int:
    from rnnlab.cli.lm_task import load_lm
    from rnnlab.evaluation.language import (
        format_table,
        next_token_distribution,
        token_log_probs,
    )

    lm = load_lm(args.run_dir, args.which, args.device)
    tok = lm.tokenizer
    if args.sentence is not None:
        ids = tok.encode(args.sentence, add_eos=True)
        logs = token_log_probs(lm.model, ids, start_id=tok.eos_id)
        rows = [
            (t, f"{lp:.3f}", f"{math.exp(lp):.4f}")
            for t, lp in zip(tok.tokens(ids), logs, strict=True)
        ]
        print(format_table(rows, ["token", "log p", "p"]))
        total = sum(logs)
        print(
            f"log p(sentence) = {total:.3f} nats (p = {math.exp(total):.3e}; {len(ids)} tokens "
            f"with <eos>, perplexity {math.exp(-total / len(ids)):.1f})"
        )
        return 0
    if args.prompt is None:
        raise ValueError("expected a PROMPT (or --sentence TEXT)")
    prompt = args.prompt.rstrip().removesuffix("___").rstrip()
    ids = tok.encode(prompt)
    top = next_token_distribution(lm.model, ids, start_id=tok.eos_id, k=args.k)
    print(f"{prompt} ___")
    print(format_table([(tok.vocab[i], f"{p:.3f}") for i, p in top], ["next", "p"]))
    unknown = [t for t, i in zip(tok.split(prompt), ids, strict=True) if i == tok.unk_id]
    if unknown:
        print(f"(not in the vocabulary, read as <unk>: {', '.join(unknown)})")
    return 0


def run_agreement(args: argparse.Namespace) -> int:
    from rnnlab.cli.lm_task import load_lm
    from rnnlab.evaluation.agreement import agreement_accuracy, read_agreement
    from rnnlab.evaluation.language import format_table

    path = args.data
    if path is None:
        path = Path(__file__).resolve().parents[4] / "shared/data/linzen-agreement-subset"
        if not path.exists():
            raise FileNotFoundError(f"no agreement data at {path}; pass --data NAME.text")
    lm = load_lm(args.run_dir, args.which, args.device)
    items = read_agreement(path, lowercase=getattr(lm.tokenizer, "lowercase", False))
    if args.limit is not None:
        items = items[: args.limit]
    result = agreement_accuracy(lm.model, lm.tokenizer, items)
    print(
        f"agreement on {path}: {result.total} sentences scored, {result.skipped} skipped "
        "(a verb form not in the vocabulary)"
    )
    print(format_table(result.rows(), ["attractors", "sentences", "accuracy"]))
    return 0
