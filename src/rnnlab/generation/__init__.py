"""Text out: sampling strategies, greedy decoding and beam search over any next-token model."""

from rnnlab.generation.beam import Hypothesis, batch_beam_search, beam_search
from rnnlab.generation.greedy import greedy_search
from rnnlab.generation.sampling import SamplingConfig, filter_logits, generate

__all__ = [
    "Hypothesis",
    "SamplingConfig",
    "batch_beam_search",
    "beam_search",
    "filter_logits",
    "generate",
    "greedy_search",
]
