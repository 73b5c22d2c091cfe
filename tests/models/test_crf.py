"""The linear-chain CRF against brute force: every one of the K^n tag paths enumerated."""

from __future__ import annotations

import itertools

import pytest
import torch

from rnnlab.models.crf import CRF, FORBIDDEN, bio_constraints, looks_like_bio

TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]


def brute_force(crf: CRF, emissions, lengths):
    """(log Z, best path, best score) per sequence by enumerating all paths."""
    a, s, f = (t.detach() for t in crf.scores())
    out = []
    for b, n in enumerate(lengths):
        scores = {}
        for path in itertools.product(range(crf.num_tags), repeat=n):
            score = s[path[0]] + f[path[-1]]
            score = score + sum(emissions[t, b, y] for t, y in enumerate(path))
            score = score + sum(a[path[t - 1], path[t]] for t in range(1, n))
            scores[path] = score
        stacked = torch.stack(list(scores.values()))
        best = max(scores, key=lambda p: float(scores[p]))
        out.append((torch.logsumexp(stacked, 0), list(best), scores))
    return out


def make_batch(k, lengths, seed=0):
    g = torch.Generator().manual_seed(seed)
    steps = max(lengths)
    emissions = torch.randn(steps, len(lengths), k, generator=g, dtype=torch.float64)
    mask = torch.arange(steps)[:, None] < torch.tensor(lengths)[None, :]
    return emissions, mask


@pytest.mark.parametrize("constrained", [False, True])
def test_forward_algorithm_and_viterbi_equal_enumeration(constrained):
    torch.manual_seed(1)
    crf = CRF(len(TAGS), bio_constraints(TAGS) if constrained else None).double()
    with torch.no_grad():
        crf.start.normal_()
        crf.end.normal_()
        crf.transitions.normal_()
    lengths = [4, 1, 3]
    emissions, mask = make_batch(len(TAGS), lengths)
    log_z = crf.log_partition(emissions, mask)
    paths = crf.decode(emissions, mask)
    for b, (z, best, scores) in enumerate(brute_force(crf, emissions, lengths)):
        assert torch.allclose(log_z[b], z, atol=1e-10)
        assert paths[b] == best
        tags = torch.zeros(max(lengths), 1, dtype=torch.long)
        tags[: lengths[b], 0] = torch.tensor(best)
        score = crf.path_score(emissions[:, b : b + 1], tags, mask[:, b : b + 1])
        assert torch.allclose(score[0], scores[tuple(best)], atol=1e-10)
        if constrained:  # an I-X never opens a sentence nor follows anything but B-X / I-X
            names = [TAGS[i] for i in best]
            for t, name in enumerate(names):
                if name.startswith("I-"):
                    assert t > 0 and names[t - 1][2:] == name[2:]


def test_nll_is_minus_log_probability_and_probabilities_sum_to_one():
    crf = CRF(3).double()
    emissions, mask = make_batch(3, [3, 2], seed=3)
    (z0, _, scores0), (z1, _, scores1) = brute_force(crf, emissions, [3, 2])
    tags = torch.tensor([[0, 2], [1, 1], [2, 0]])
    nll = crf.nll(emissions, tags, mask)
    assert torch.allclose(nll[0], z0 - scores0[(0, 1, 2)], atol=1e-10)
    assert torch.allclose(nll[1], z1 - scores1[(2, 1)], atol=1e-10)  # length 2: step 3 ignored
    total = torch.logsumexp(torch.stack([s - z0 for s in scores0.values()]), 0)
    assert abs(float(total)) < 1e-10  # Σ_y p(y | x) = 1
    assert bool((nll > 0).all())


def test_gradients_match_finite_differences():
    crf = CRF(3).double()
    emissions, mask = make_batch(3, [4, 2], seed=5)
    emissions.requires_grad_(True)
    tags = torch.tensor([[0, 1], [2, 1], [1, 0], [0, 0]])
    assert torch.autograd.gradcheck(lambda e: crf.nll(e, tags, mask).sum(), (emissions,))


def test_bio_constraints_and_detection():
    allowed, start = bio_constraints(TAGS)
    i_per, b_per, i_loc = TAGS.index("I-PER"), TAGS.index("B-PER"), TAGS.index("I-LOC")
    assert not start[i_per] and start[b_per]
    assert allowed[b_per, i_per] and allowed[i_per, i_per]
    assert not allowed[0, i_per] and not allowed[b_per, i_loc]
    assert looks_like_bio(TAGS) and not looks_like_bio(["NOUN", "VERB"])
    crf = CRF(len(TAGS), (allowed, start))
    a, s, _ = (t.detach() for t in crf.scores())
    assert float(a[0, i_per]) == FORBIDDEN and float(s[i_per]) == FORBIDDEN


def test_bad_inputs_are_named():
    crf = CRF(3)
    with pytest.raises(ValueError, match=r"emissions \(T, B, 3\)"):
        crf.log_partition(torch.zeros(2, 1, 4), torch.ones(2, 1, dtype=torch.bool))
    with pytest.raises(ValueError, match="at least one step"):
        crf.log_partition(torch.zeros(2, 1, 3), torch.zeros(2, 1, dtype=torch.bool))
