"""``rnnlab lm train|evaluate|generate|next|agreement``: language models from a run directory.

::

    rnnlab lm train --corpus shipped:pt-bosque --run-dir runs/lm-pt --epochs 5
    rnnlab lm train examples/lm_ptb.toml --run-dir runs/ptb     # a config file
    rnnlab lm train --resume runs/ptb --epochs 10                # train longer
    rnnlab lm evaluate runs/lm-pt --split test
    rnnlab lm generate runs/lm-pt "o governo" --temperature 0.8 --seed 1
    rnnlab lm next runs/lm-pt "Fui ao posto de gasolina abastecer o ___"
    rnnlab lm next runs/lm-pt --sentence "o presidente disse que não"
    rnnlab lm agreement runs/ptb --data ../shared/data/linzen-agreement-subset
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rnnlab.cli.arguments import (
    MODEL_FLAGS,
    add_run_dir_args,
    add_training_flags,
    flag_values,
    run_training,
)

LM_FLAGS = {**MODEL_FLAGS, "corpus": ("data", "path"), "level": ("data", "level")}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "lm", help="language models: train, evaluate, generate, next word, agreement probe"
    )
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)

    train = verbs.add_parser("train", help="train a language model into a run directory")
    add_training_flags(train)
    train.add_argument("--corpus", help="data.path: file, folder, folder/prefix or shipped:NAME")
    train.add_argument("--level", choices=("word", "char", "bpe"), help="data.level")
    train.set_defaults(func=run_train)

    evaluate = verbs.add_parser("evaluate", help="loss, perplexity and bits per token of a split")
    add_run_dir_args(evaluate)
    evaluate.add_argument("--split", default="test", choices=("train", "valid", "test"),
                          help="the split to score")
    evaluate.add_argument("--corpus", help="score another corpus (same layouts as training)")
    _quantize_arg(evaluate)
    evaluate.set_defaults(func=run_evaluate)

    generate = verbs.add_parser("generate", help="sample text (streamed as it is made)")
    add_run_dir_args(generate)
    generate.add_argument("prompt", nargs="?", default="", help="text that primes the state")
    generate.add_argument("--prompt", dest="prompt", help="the same, as an option")
    generate.add_argument("--max-tokens", type=int, default=50, help="tokens to generate at most")
    generate.add_argument("--temperature", type=float, default=1.0, help="0 = greedy")
    generate.add_argument("--top-k", type=int, default=0, help="0 = no top-k filter")
    generate.add_argument("--top-p", type=float, default=1.0, help="1 = no nucleus filter")
    generate.add_argument("--seed", type=int, default=None, help="same seed, same text")
    generate.add_argument("--beam", type=int, default=0, metavar="WIDTH",
                          help="beam search with this width instead of sampling (0 = sample)")
    generate.add_argument("--stop-at-eos", action="store_true", help="end at the sentence end")
    generate.add_argument("--allow-unk", action="store_true", help="let <unk> be generated")
    generate.add_argument("--engine", default="torch", choices=("torch", "onnxruntime"),
                          help="run the model in PyTorch or on onnxruntime (exports it first)")
    _quantize_arg(generate)
    generate.set_defaults(func=run_generate)

    nxt = verbs.add_parser("next", help="the top-k next tokens after a prompt, with probabilities")
    add_run_dir_args(nxt)
    nxt.add_argument("prompt", nargs="?", default=None, help='e.g. "abastecer o ___"')
    nxt.add_argument("-k", type=int, default=10, help="how many tokens to list")
    nxt.add_argument("--sentence", help="print the probability of this whole sentence instead")
    nxt.set_defaults(func=run_next)

    agreement = verbs.add_parser("agreement", help="subject-verb agreement accuracy")
    add_run_dir_args(agreement)
    agreement.add_argument("--data", type=Path, required=True,
                           help="NAME.text + NAME.gold (file, NAME or folder), e.g. "
                                "../shared/data/linzen-agreement-subset")
    agreement.add_argument("--limit", type=int, default=None, help="score the first N only")
    agreement.set_defaults(func=run_agreement)


def _quantize_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quantize", choices=("int8",), default=None,
                        help="dynamic int8 weights for LSTM/GRU/linear layers (CPU inference)")


def run_train(args: argparse.Namespace) -> int:
    result = run_training(args, "lm", flag_values(args, LM_FLAGS))
    if isinstance(result, int):
        return result
    for evaluation in result.report or []:
        print(evaluation.describe())
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from rnnlab.tasks.lm import evaluate_run

    print(evaluate_run(args.run_dir, args.split, args.corpus, args.which, args.device,
                       args.quantize).describe())
    return 0


def run_generate(args: argparse.Namespace) -> int:
    from rnnlab.generation import SamplingConfig
    from rnnlab.tasks.lm import beam_texts, generate_text, load_lm

    if args.beam < 0 or args.max_tokens < 1:
        raise ValueError(f"expected --beam >= 0 and --max-tokens >= 1, got {args.beam} "
                         f"and {args.max_tokens}")
    config = SamplingConfig(temperature=args.temperature, top_k=args.top_k, top_p=args.top_p,
                            max_tokens=args.max_tokens, seed=args.seed,
                            stop_at_eos=args.stop_at_eos)  # checked before the model is read
    if args.engine == "onnxruntime" and (args.beam or args.quantize):
        raise ValueError("--beam and --quantize run in PyTorch only; drop --engine onnxruntime")
    lm = load_lm(args.run_dir, args.which, args.device, args.quantize)
    if args.beam:
        for log_prob, text in beam_texts(lm, args.prompt, args.beam, args.max_tokens,
                                         allow_unk=args.allow_unk):
            print(f"{log_prob:9.3f}  {args.prompt} {text}")
        return 0
    engine = None
    if args.engine == "onnxruntime":
        from rnnlab.tasks.export.engine import OrtLM

        engine = OrtLM(args.run_dir)
    sys.stdout.write(args.prompt + (" " if args.prompt and lm.tokenizer.kind == "word" else ""))
    for piece in generate_text(lm, args.prompt, config, model=engine, allow_unk=args.allow_unk):
        sys.stdout.write(piece)  # stream: print each piece as it is made
        sys.stdout.flush()
    sys.stdout.write("\n")
    return 0


def run_next(args: argparse.Namespace) -> int:
    from rnnlab.tasks.lm import load_lm, next_words, score_sentence

    if args.sentence is None and args.prompt is None:
        raise ValueError("expected a PROMPT (or --sentence TEXT)")
    if args.k < 1:
        raise ValueError(f"expected -k >= 1, got {args.k}")
    lm = load_lm(args.run_dir, args.which, args.device)
    if args.sentence is None:
        print(next_words(lm, args.prompt, args.k).describe(lm.tokenizer.vocab_size))
    else:
        print(score_sentence(lm, args.sentence).describe())
    return 0


def run_agreement(args: argparse.Namespace) -> int:
    from rnnlab.evaluation.agreement import agreement_accuracy, read_agreement
    from rnnlab.evaluation.language import format_table
    from rnnlab.tasks.lm import load_lm

    lm = load_lm(args.run_dir, args.which, args.device)
    items = read_agreement(args.data, lowercase=getattr(lm.tokenizer, "lowercase", False))
    if args.limit is not None:
        items = items[: args.limit]
    result = agreement_accuracy(lm.model, lm.tokenizer, items)
    print(f"agreement on {args.data}: {result.total} sentences scored, {result.skipped} skipped "
          "(a verb form not in the vocabulary)")
    print(format_table(result.rows(), ["attractors", "sentences", "accuracy"]))
    return 0
