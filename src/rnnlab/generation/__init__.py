"""Text out: sampling strategies and beam search over any next-token model."""

from rnnlab.generation.beam import Hypothesis, beam_search
from rnnlab.generation.sampling import SamplingConfig, filter_logits, generate

__all__ = ["Hypothesis", "SamplingConfig", "beam_search", "filter_logits", "generate"]
