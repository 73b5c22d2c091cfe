"""Translation quality: BLEU and chrF through sacrebleu, by source length, and the copy baseline.

Scores are sacrebleu's (Post 2018), on detokenised text against the references
as written, with the signature printed beside every number so it can be
reproduced: ``nrefs:var|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0``.
A source sentence with several translations in the test split is scored
against all of them (``nrefs:var``). chrF is on sacrebleu's 0–100 scale.

The *copy-the-source* baseline outputs the source sentence unchanged: it
scores above zero wherever the two languages share words (names, numbers,
cognates), and a model that does not beat it has learned nothing useful.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sacrebleu.metrics import BLEU, CHRF

LENGTH_EDGES = (5, 10, 15, 20, 30)  # source-length buckets: 1–5, 6–10, …, 31+ words


@dataclass(frozen=True)
class TranslationScore:
    """Corpus BLEU and chrF of one system on one set, with sacrebleu's signatures."""

    bleu: float  # 0–100
    chrf: float  # 0–100
    sentences: int
    bleu_signature: str
    chrf_signature: str


def reference_streams(references: Sequence[Sequence[str]]) -> list[list[str | None]]:
    """Per-sentence reference lists -> sacrebleu's streams (stream j = every sentence's j-th
    reference, None where a sentence has fewer)."""
    if not references or min(len(r) for r in references) < 1:
        raise ValueError("expected at least one reference per sentence")
    width = max(len(r) for r in references)
    return [[r[j] if j < len(r) else None for r in references] for j in range(width)]


def score_translations(hypotheses: Sequence[str], references: Sequence[Sequence[str]],
                       *, lowercase: bool = False) -> TranslationScore:
    """Corpus BLEU and chrF of ``hypotheses`` against each sentence's ``references``.

    ``lowercase=True`` (case-insensitive BLEU, ``case:lc`` in the signature) for
    systems that lower-case their vocabulary.
    """
    if len(hypotheses) != len(references):
        raise ValueError(f"expected one reference list per hypothesis, got {len(hypotheses)} "
                         f"hypotheses and {len(references)} reference lists")
    streams = reference_streams(references)
    bleu, chrf = BLEU(lowercase=lowercase), CHRF(lowercase=lowercase)
    b = bleu.corpus_score(list(hypotheses), streams)
    c = chrf.corpus_score(list(hypotheses), streams)
    return TranslationScore(b.score, c.score, len(hypotheses), str(bleu.get_signature()),
                            str(chrf.get_signature()))


def bleu_by_length(hypotheses: Sequence[str], references: Sequence[Sequence[str]],
                   source_lengths: Sequence[int], edges: Sequence[int] = LENGTH_EDGES,
                   *, lowercase: bool = False) -> list[tuple[str, int, float]]:
    """(bucket label, sentences, corpus BLEU) per source-length bucket (words or tokens)."""
    bounds = [0, *edges]
    rows = []
    for i, low in enumerate(bounds):
        high = bounds[i + 1] if i + 1 < len(bounds) else None
        keep = [j for j, n in enumerate(source_lengths) if n > low and (high is None or n <= high)]
        if not keep:
            continue
        label = f"{low + 1}-{high}" if high is not None else f"{low + 1}+"
        bleu = BLEU(lowercase=lowercase).corpus_score(
            [hypotheses[j] for j in keep], reference_streams([references[j] for j in keep]))
        rows.append((label, len(keep), bleu.score))
    return rows


def copy_baseline(sources: Sequence[str], references: Sequence[Sequence[str]],
                  *, lowercase: bool = False) -> TranslationScore:
    """The score of outputting each source sentence unchanged."""
    return score_translations(sources, references, lowercase=lowercase)
