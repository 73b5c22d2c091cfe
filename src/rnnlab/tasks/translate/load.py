"""A trained translator from its run directory, and translating with it.

    tr = load_translator("runs/fr-en")
    [best] = translate(tr, ["Je suis fatigué."], beam=5)[0]
    best.text, best.score
    weights = attention_weights(tr, best)          # (T, S) for a heatmap

Decoding is batched (sentences of similar length together): greedy, or beam
search with length normalisation and n-best; at most ``max_length_ratio ·
|source| + max_length_extra`` tokens, ending at ``<eos>``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from rnnlab.data.text.detokenize import detokenize
from rnnlab.data.text.sequence_batches import pad_sequences
from rnnlab.generation import Hypothesis, batch_beam_search, greedy_search
from rnnlab.models.seq2seq import EncoderDecoder
from rnnlab.tasks.config import read_run_config
from rnnlab.tasks.translate.config import SCHEMA, DecodeConfig, TranslateDataConfig
from rnnlab.tasks.translate.task import Tokenizers, normalize_text
from rnnlab.training.checkpoint import load_weights
from rnnlab.training.precision import resolve_device

if TYPE_CHECKING:
    from rnnlab.tasks.config import RunConfig


@dataclass
class LoadedTranslator:
    """A trained encoder–decoder rebuilt from its run directory."""

    model: EncoderDecoder
    tokenizers: Tokenizers
    config: RunConfig
    meta: dict[str, Any]  # the checkpoint's meta.json

    @property
    def data(self) -> TranslateDataConfig:
        return self.config["data"]

    @property
    def decode(self) -> DecodeConfig:
        return self.config["decode"]


def load_translator(run_dir: str | Path, which: str = "best",
                    device: str = "cpu") -> LoadedTranslator:
    """Model, tokenizers and config from a run directory (weights: ``best`` or ``last``)."""
    where = resolve_device(device, what="--device")  # before anything is read
    run_dir = Path(run_dir)
    config = read_run_config(run_dir, SCHEMA)
    tokenizers = Tokenizers.load(run_dir)
    model = EncoderDecoder(config["model"], tokenizers.source.vocab_size,
                           tokenizers.target.vocab_size)
    meta = load_weights(model, run_dir, which=which)
    model.to(where).eval()
    return LoadedTranslator(model, tokenizers, config, meta)


@dataclass(frozen=True)
class Translation:
    """One output sentence for one source sentence."""

    source: str  # the source as the model read it (normalised)
    source_ids: tuple[int, ...]  # with <eos>
    ids: tuple[int, ...]  # the output tokens, <eos> left out
    text: str  # detokenised
    log_prob: float  # log p(output, <eos> | source)
    score: float  # the ranking score: log p / length^α
    finished: bool  # ended with <eos> (not cut at the length limit)


def max_lengths(source_ids: Sequence[Sequence[int]], decode: DecodeConfig) -> list[int]:
    """At most ratio · |source| + extra output tokens (``<eos>`` included) per sentence."""
    return [max(1, math.ceil(decode.max_length_ratio * len(s)) + decode.max_length_extra)
            for s in source_ids]


def decode_ids(model: EncoderDecoder, source_ids: Sequence[Sequence[int]], *, eos_id: int,
               decode: DecodeConfig, beam: int = 1, n_best: int = 1, batch_size: int = 128,
               banned: Sequence[int] = ()) -> list[list[Hypothesis]]:
    """Greedy (``beam=1``) or beam-search outputs for each source id list, in input order."""
    model.eval()
    device = model.decoder.output.weight.device
    order = np.argsort([len(s) for s in source_ids], kind="stable")  # similar lengths together
    out: list[list[Hypothesis]] = [[] for _ in source_ids]
    for start in range(0, len(order), batch_size):
        chunk = order[start:start + batch_size]
        source, lengths = pad_sequences([source_ids[i] for i in chunk], eos_id)
        limits = max_lengths([source_ids[i] for i in chunk], decode)
        with torch.no_grad():
            state = model.start(source.to(device), lengths.to(device))
            first = torch.full((len(chunk),), eos_id, device=device)  # <bos> = <eos>

            def step(tokens: torch.Tensor, state: Any) -> tuple[torch.Tensor, Any]:
                logits, state, _ = model.step(tokens, state)
                return logits, state

            if beam == 1:
                found = [[h] for h in greedy_search(step, state, first, eos_id=eos_id,
                                                     max_tokens=limits, banned=banned)]
            else:
                found = batch_beam_search(step, state, first, eos_id=eos_id, beam_width=beam,
                                          max_tokens=limits, n_best=n_best, banned=banned,
                                          length_penalty=decode.length_penalty)
        for i, hyps in zip(chunk, found, strict=True):
            out[i] = hyps
    return out


def output_text(tr_or_tokenizers: Any, ids: Sequence[int], language: str) -> str:
    """Output ids -> text: BPE decodes itself; words are joined by the language's rules."""
    tokenizer = getattr(tr_or_tokenizers, "tokenizers", tr_or_tokenizers).target
    if tokenizer.kind == "word":
        return detokenize(tokenizer.tokens(ids), language)
    return tokenizer.decode(ids).strip()


def translate(tr: LoadedTranslator, sentences: Sequence[str], *, beam: int = 1, n_best: int = 1,
              allow_unk: bool = False) -> list[list[Translation]]:
    """The ``n_best`` translations of each sentence (greedy when ``beam == 1``), best first."""
    if beam < 1 or not 1 <= n_best <= beam:
        raise ValueError(f"expected beam >= 1 and 1 <= n_best <= beam, got {beam} and {n_best}")
    src_tok, tgt_tok = tr.tokenizers.source, tr.tokenizers.target
    normalized = [normalize_text(s, tr.data) for s in sentences]
    empty = [s for s, n in zip(sentences, normalized, strict=True) if not src_tok.split(n)]
    if empty:
        raise ValueError(f"nothing to translate in {empty[0]!r} (no token left after the run's "
                         f"normalisation {tr.data.normalize!r})")
    source_ids = [src_tok.encode(n, add_eos=True) for n in normalized]
    banned = () if allow_unk else (tgt_tok.unk_id,)
    found = decode_ids(tr.model, source_ids, eos_id=tgt_tok.eos_id, decode=tr.decode, beam=beam,
                       n_best=n_best, batch_size=tr.data.eval_batch_size, banned=banned)
    alpha = tr.decode.length_penalty if beam > 1 else 0.0
    out = []
    for text, ids, hyps in zip(normalized, source_ids, found, strict=True):
        out.append([Translation(text, tuple(ids), _strip(h.ids, tgt_tok.eos_id),
                                output_text(tr, _strip(h.ids, tgt_tok.eos_id),
                                            tr.data.target_language),
                                h.log_prob, h.score(alpha), h.finished) for h in hyps])
    return out


def _strip(ids: Sequence[int], eos: int) -> tuple[int, ...]:
    return tuple(ids[:-1]) if ids and ids[-1] == eos else tuple(ids)


def attention_weights(tr: LoadedTranslator, translation: Translation) -> np.ndarray | None:
    """α (T, S) of the decoder producing ``translation`` (its tokens, then ``<eos>``), read by
    teacher-forcing those tokens: the weights the search saw. None without attention."""
    eos = tr.tokenizers.target.eos_id
    device = tr.model.decoder.output.weight.device
    source = torch.tensor(translation.source_ids, device=device)[:, None]  # (S, 1)
    target_in = torch.tensor([eos, *translation.ids], device=device)[:, None]  # (T, 1)
    with torch.no_grad():
        _, alpha = tr.model(source, torch.tensor([source.size(0)], device=device), target_in)
    return None if alpha is None else alpha[:, 0].cpu().numpy()  # (T, S)


def token_labels(tr: LoadedTranslator, translation: Translation) -> tuple[list[str], list[str]]:
    """(source tokens with <eos>, output tokens with <eos>): a heatmap's axis labels."""
    src, tgt = tr.tokenizers.source, tr.tokenizers.target
    return (src.tokens(translation.source_ids),
            [*tgt.tokens(translation.ids), tgt.vocab[tgt.eos_id]])
