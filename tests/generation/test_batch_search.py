"""Batched beam search and greedy decoding: a batch equals its examples one at a time, width 1
is greedy, a wide beam is exhaustive search, limits and n-best hold."""

from __future__ import annotations

import itertools

import pytest
import torch

from rnnlab.generation import batch_beam_search, greedy_search
from rnnlab.models.seq2seq import EncoderDecoder, Seq2SeqConfig


class Table:
    """p(next | example b, last token) from a fixed random table; state (1, B, 1) holds b."""

    def __init__(self, examples: int, vocab: int, seed: int = 0) -> None:
        g = torch.Generator().manual_seed(seed)
        self.log_p = torch.randn(examples, vocab, vocab, generator=g).mul(2).log_softmax(-1)

    def step(self, tokens, state):
        return self.log_p[state[0, :, 0], tokens], state

    def state(self, examples):
        return torch.tensor(examples).view(1, -1, 1)


def test_a_batch_decodes_like_each_example_alone():
    table = Table(3, 6)
    first = torch.tensor([0, 2, 4])
    batch = batch_beam_search(table.step, table.state([0, 1, 2]), first, eos_id=0, beam_width=3,
                              max_tokens=[4, 6, 5], length_penalty=0.7, n_best=2)
    for b in range(3):
        alone = batch_beam_search(table.step, table.state([b]), first[b:b + 1], eos_id=0,
                                  beam_width=3, max_tokens=[4, 6, 5][b], length_penalty=0.7,
                                  n_best=2)[0]
        assert batch[b] == alone
        assert len(batch[b]) == 2 and batch[b][0].score(0.7) >= batch[b][1].score(0.7)
        assert all(len(h.ids) <= [4, 6, 5][b] for h in batch[b])


def test_width_one_is_greedy_and_a_wide_beam_is_exhaustive():
    table = Table(2, 5, seed=3)
    first = torch.tensor([1, 3])
    greedy = greedy_search(table.step, table.state([0, 1]), first, eos_id=0, max_tokens=4)
    narrow = batch_beam_search(table.step, table.state([0, 1]), first, eos_id=0, beam_width=1,
                               max_tokens=4)
    assert [g.ids for g in greedy] == [n[0].ids for n in narrow]
    assert [g.log_prob for g in greedy] == pytest.approx([n[0].log_prob for n in narrow])
    wide = batch_beam_search(table.step, table.state([0, 1]), first, eos_id=None,
                             beam_width=125, max_tokens=3)
    for b in range(2):
        def score(path, b=b):
            prev, total = int(first[b]), 0.0
            for t in path:
                total += float(table.log_p[b, prev, t])
                prev = t
            return total

        best = max(itertools.product(range(5), repeat=3), key=score)
        assert wide[b][0].ids == best
        assert wide[b][0].log_prob == pytest.approx(score(best), abs=1e-4)


def test_greedy_stops_each_example_at_eos_or_its_limit():
    table = Table(2, 4, seed=5)
    table.log_p[0, :, 0] = 5.0  # example 0: <eos> always wins
    table.log_p[1, :, 0] = -50.0  # example 1: never
    hyps = greedy_search(table.step, table.state([0, 1]), torch.tensor([1, 1]), eos_id=0,
                         max_tokens=[3, 3], banned=(3,))
    assert hyps[0].ids == (0,) and hyps[0].finished
    assert len(hyps[1].ids) == 3 and not hyps[1].finished and 3 not in hyps[1].ids


def test_decoder_beam_reorders_its_memory():
    """Beams of different sources stay with their own source (the memory is reordered)."""
    torch.manual_seed(0)
    config = Seq2SeqConfig(hidden_size=8, embedding_size=4, attention="bahdanau",
                           dropout_input=0.0)
    model = EncoderDecoder(config, 11, 9).eval()
    sources = [torch.randint(2, 11, (n,)) for n in (5, 3)]

    def step(tokens, state):
        logits, state, _ = model.step(tokens, state)
        return logits, state

    padded = torch.stack([sources[0], torch.cat([sources[1], torch.ones(2, dtype=torch.long)])],
                         1)
    with torch.no_grad():
        both = batch_beam_search(step, model.start(padded, torch.tensor([5, 3])),
                                 torch.tensor([1, 1]), eos_id=1, beam_width=4, max_tokens=6)
        for b, source in enumerate(sources):
            state = model.start(source[:, None], torch.tensor([len(source)]))
            alone = batch_beam_search(step, state, torch.tensor([1]), eos_id=1, beam_width=4,
                                      max_tokens=6)[0]
            assert [h.ids for h in both[b]] == [h.ids for h in alone]
            assert [h.log_prob for h in both[b]] == pytest.approx([h.log_prob for h in alone],
                                                                  abs=1e-5)


def test_argument_checks():
    table = Table(1, 3)
    with pytest.raises(ValueError, match="n_best"):
        batch_beam_search(table.step, table.state([0]), torch.tensor([0]), eos_id=0,
                          beam_width=2, n_best=3)
    with pytest.raises(ValueError, match="max_tokens"):
        batch_beam_search(table.step, table.state([0]), torch.tensor([0]), eos_id=0,
                          max_tokens=[1, 2])
