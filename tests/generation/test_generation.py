"""Sampling and beam search on a bigram model whose probabilities we know exactly."""

from __future__ import annotations

import inspect
import itertools
import math

import pytest
import torch
from torch import nn

from rnnlab.generation import SamplingConfig, beam_search, filter_logits, generate


class Bigram(nn.Module):
    """p(next | last) from a fixed table; the state is the step count (1, B, 1)."""

    def __init__(self, log_table: torch.Tensor) -> None:
        super().__init__()
        self.table = nn.Parameter(log_table)

    def forward(self, tokens, state=None):
        steps = torch.zeros(1, tokens.size(1), 1) if state is None else state
        return self.table[tokens], steps + tokens.size(0)  # (T, B, V)


def _model() -> Bigram:
    # tokens 0..3; 0 = <eos>/start. From 0: "1" is likely (0.6) but leads to flat choices;
    # "2" (0.4) leads to "3" with 0.9. Greedy takes 1; the best 2-token path is 2 3.
    p = torch.tensor(
        [
            [0.0, 0.6, 0.4, 0.0],
            [0.3, 0.2, 0.25, 0.25],
            [0.05, 0.0, 0.05, 0.9],
            [0.7, 0.1, 0.1, 0.1],
        ]
    )
    return Bigram(p.clamp_min(1e-9).log())


def test_filter_logits_top_k_and_top_p():
    z = torch.tensor([1.0, 3.0, 2.0, 0.0])
    assert torch.isinf(filter_logits(z, top_k=2)).tolist() == [True, False, False, True]
    probs = torch.tensor([0.5, 0.3, 0.15, 0.05])
    # nucleus 0.8: 0.5 + 0.3 reaches it, the rest go
    kept = ~torch.isinf(filter_logits(probs.log(), top_p=0.8))
    assert kept.tolist() == [True, True, False, False]
    kept = ~torch.isinf(filter_logits(probs.log(), top_p=0.81))
    assert kept.tolist() == [True, True, True, False]
    assert not torch.isinf(filter_logits(probs.log(), top_p=0.1)).tolist()[0]  # always one


def test_greedy_follows_the_argmax_chain_and_streams():
    model = _model()
    stream = generate(model, [], SamplingConfig(temperature=0, max_tokens=4), start_id=0)
    assert inspect.isgenerator(stream)
    assert next(stream) == 1  # the first token is there before the rest is computed
    assert list(stream) == [0, 1, 0]  # 1 -> 0 -> 1 -> 0


def test_top_k_1_equals_greedy_and_seed_reproduces():
    model = _model()
    greedy = list(generate(model, [3], SamplingConfig(temperature=0, max_tokens=6), start_id=0))
    top1 = list(generate(model, [3], SamplingConfig(top_k=1, max_tokens=6, seed=1), start_id=0))
    assert top1 == greedy
    config = SamplingConfig(max_tokens=30, seed=123)
    a = list(generate(model, [2], config, start_id=0))
    b = list(generate(model, [2], config, start_id=0))
    c = list(generate(model, [2], SamplingConfig(max_tokens=30, seed=124), start_id=0))
    assert a == b and a != c


def test_sampling_frequencies_match_the_distribution():
    model = _model()
    config = SamplingConfig(max_tokens=1, seed=0)
    gen = torch.Generator().manual_seed(0)
    firsts = []
    for _ in range(2000):
        seed = int(torch.randint(0, 2**31, (1,), generator=gen))
        cfg = SamplingConfig(max_tokens=1, seed=seed)
        firsts.extend(generate(model, [], cfg, start_id=0))
    share = firsts.count(1) / len(firsts)
    assert abs(share - 0.6) < 0.04  # p(1 | start) = 0.6
    assert config.top_p == 1.0


def test_stop_at_eos_and_bad_configs():
    model = _model()
    out = list(
        generate(
            model, [2, 3], SamplingConfig(temperature=0, stop_at_eos=True), start_id=0, eos_id=0
        )
    )
    assert out == [0]  # after 3 the argmax is <eos>
    with pytest.raises(ValueError, match="top_p"):
        SamplingConfig(top_p=0.0)
    with pytest.raises(ValueError, match="temperature"):
        SamplingConfig(temperature=-1)


def test_beam_search_beats_greedy_and_matches_brute_force():
    model = _model()
    log_p = model.table.detach()
    best = beam_search(model, [], start_id=0, beam_width=4, max_tokens=2)
    assert best[0].ids == (2, 3)  # 0.4 · 0.9 = 0.36 > greedy's 0.6 · 0.3 = 0.18
    assert best[0].log_prob == pytest.approx(math.log(0.36), abs=1e-5)
    # with a beam as wide as all paths, beam search is exhaustive search
    paths = itertools.product(range(4), repeat=3)

    def score(path):
        prev, total = 0, 0.0
        for t in path:
            total += float(log_p[prev, t])
            prev = t
        return total

    exhaustive = max(paths, key=score)
    wide = beam_search(model, [], start_id=0, beam_width=64, max_tokens=3)
    assert wide[0].ids == exhaustive
    assert wide[0].log_prob == pytest.approx(score(exhaustive), abs=1e-4)


def test_beam_search_finishes_at_eos():
    model = _model()
    hyps = beam_search(model, [2], start_id=0, eos_id=0, beam_width=2, max_tokens=5)
    assert hyps[0].finished and hyps[0].ids == (3, 0)  # 0.9 · 0.7
    assert hyps[0].log_prob == pytest.approx(math.log(0.63), abs=1e-5)


def test_banned_tokens_are_never_generated():
    model = _model()
    config = SamplingConfig(temperature=0, max_tokens=6, banned=(1,))
    unbanned = list(generate(model, [], SamplingConfig(temperature=0, max_tokens=6), start_id=0))
    assert unbanned[0] == 1  # greedy picks 1 first when it is allowed ...
    out = list(generate(model, [], config, start_id=0))
    assert 1 not in out and out[0] == 2  # ... and without 1 the argmax after the start is 2
    sampled = list(
        generate(model, [], SamplingConfig(max_tokens=200, seed=0, banned=(0, 1)), start_id=0)
    )
    assert not {0, 1} & set(sampled)
    hyps = beam_search(model, [], start_id=0, beam_width=3, max_tokens=3, banned=(3,))
    assert all(3 not in h.ids for h in hyps)
