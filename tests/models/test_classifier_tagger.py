"""SequenceClassifier and SequenceTagger: padding never leaks, shapes, groups, errors."""

from __future__ import annotations

import pytest
import torch

from rnnlab.data.text.padding import pad_chars, pad_ids
from rnnlab.models.classifier import ClassifierConfig, SequenceClassifier
from rnnlab.models.pooling import Pooling
from rnnlab.models.tagger import SequenceTagger, TaggerConfig

SEQS = [[5, 3, 9, 2, 7], [4, 8], [6, 6, 1]]


@pytest.mark.parametrize("pooling", ["last", "mean", "max", "attention"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_padding_never_reaches_the_pooled_vector(pooling, bidirectional):
    config = ClassifierConfig(cell="gru", hidden_size=6, num_layers=2, embedding_size=5,
                              pooling=pooling, bidirectional=bidirectional)
    model = SequenceClassifier(config, vocab_size=10, num_classes=3).eval()
    tokens, lengths = pad_ids(SEQS, pad_id=9)  # a real token id as padding: must not matter
    pooled, alpha = model.encode(tokens, lengths)
    for b, seq in enumerate(SEQS):
        alone, alone_alpha = model.encode(torch.tensor(seq)[:, None], torch.tensor([len(seq)]))
        torch.testing.assert_close(pooled[b], alone[0], rtol=1e-5, atol=1e-6)
        if pooling == "attention":
            torch.testing.assert_close(alpha[: len(seq), b], alone_alpha[:, 0])
            assert float(alpha[len(seq):, b].detach().abs().sum()) == 0.0  # no weight on padding
            torch.testing.assert_close(alpha[:, b].sum(), torch.tensor(1.0))
    assert model(tokens, lengths).shape == (3, 3)


def test_last_pooling_takes_each_direction_at_its_own_end():
    outputs = torch.arange(8, dtype=torch.float).view(4, 1, 2).repeat(1, 2, 1)
    pooled, _ = Pooling("last", 2, directions=2)(outputs, torch.tensor([4, 2]))
    assert pooled.tolist() == [[6.0, 1.0], [2.0, 1.0]]  # forward at len−1, backward at 0


def test_discriminative_groups_scale_down_the_lower_layers():
    config = ClassifierConfig(cell="lstm", hidden_size=4, num_layers=2, embedding_size=3)
    model = SequenceClassifier(config, 10, 2, lr_decay=2.0)
    groups = model.param_groups()
    # embeddings, layer 1, layer 2, pooling + head: 2^-3, 2^-2, 2^-1, 1
    assert [g["lr_scale"] for g in groups] == [0.125, 0.25, 0.5, 1.0]
    seen = [id(p) for g in groups for p in g["params"]]
    assert sorted(seen) == sorted(id(p) for p in model.parameters())  # each exactly once


@pytest.mark.parametrize("output", ["crf", "softmax"])
@pytest.mark.parametrize("chars", ["cnn", "rnn"])
def test_tagger_padding_and_decoding(output, chars):
    tags = ["O", "B-X", "I-X"]
    config = TaggerConfig(hidden_size=6, embedding_size=5, char_features=chars,
                          char_hidden_size=4, char_embedding_size=3, output=output)
    model = SequenceTagger(config, vocab_size=10, char_vocab_size=7, tags=tags).eval()
    words, lengths = pad_ids(SEQS)
    char_ids = [[[1 + (w + i) % 6 for i in range(1 + w % 3)] for w in s] for s in SEQS]
    chars_t, char_lengths = pad_chars(char_ids)
    emissions = model(words, lengths, chars_t, char_lengths)
    assert emissions.shape == (5, 3, 3)
    for b, seq in enumerate(SEQS):
        c, cl = pad_chars([char_ids[b]])
        alone = model(torch.tensor(seq)[:, None], torch.tensor([len(seq)]), c, cl)
        torch.testing.assert_close(emissions[: len(seq), b], alone[:, 0], rtol=1e-5, atol=1e-6)
    paths = model.decode(emissions, lengths)
    assert [len(p) for p in paths] == [5, 2, 3]
    gold = torch.zeros(5, 3, dtype=torch.long)
    loss = model.loss(emissions, gold, lengths)
    assert loss.dim() == 0 and float(loss.detach()) > 0
    if output == "crf":  # BIO detected: I-X never opens a sentence
        assert all(tags[p[0]] != "I-X" for p in paths)


@pytest.mark.parametrize("encoder", ["transformer", "cnn", "mlp"])
def test_non_recurrent_encoders_read_the_whole_sentence_and_never_the_padding(encoder):
    """--encoder transformer (cnn, mlp) in tag and classify: full attention (a tag sees the
    words after it; the CNN and MLP their window), and a padded batch gives the same tags
    and pooled vectors as each sentence alone."""
    fields = {"encoder": encoder, "hidden_size": 8, "num_heads": 2, "embedding_size": 5,
              "bidirectional": True}
    tagger = SequenceTagger(TaggerConfig(**fields, char_features="cnn", char_hidden_size=4,
                                         char_embedding_size=3, output="crf"),
                            vocab_size=10, char_vocab_size=7, tags=["A", "B", "C"]).eval()
    words, lengths = pad_ids(SEQS, pad_id=9)  # a real token id as padding: must not matter
    char_ids = [[[1 + (w + i) % 6 for i in range(1 + w % 3)] for w in s] for s in SEQS]
    chars, char_lengths = pad_chars(char_ids)
    emissions = tagger(words, lengths, chars, char_lengths)
    paths = tagger.decode(emissions, lengths)
    for b, seq in enumerate(SEQS):
        c, cl = pad_chars([char_ids[b]])
        alone = tagger(torch.tensor(seq)[:, None], torch.tensor([len(seq)]), c, cl)
        torch.testing.assert_close(emissions[: len(seq), b], alone[:, 0], rtol=1e-5, atol=1e-6)
        assert paths[b] == tagger.decode(alone, torch.tensor([len(seq)]))[0]
    changed = words.clone()
    changed[4, 0] = 1  # the last word of the first sentence: 4 steps after the first
    first = tagger(changed, lengths, chars, char_lengths)[0, 0]
    # full attention: the first tag reads it; the 1-layer CNN (k = 3) sees 1 step each side,
    # the MLP (window 5) 2
    assert torch.allclose(first, emissions[0, 0]) == (encoder != "transformer")
    classifier = SequenceClassifier(ClassifierConfig(**fields, pooling="mean"), 10, 3).eval()
    pooled, _ = classifier.encode(words, lengths)
    for b, seq in enumerate(SEQS):
        alone, _ = classifier.encode(torch.tensor(seq)[:, None], torch.tensor([len(seq)]))
        torch.testing.assert_close(pooled[b], alone[0], rtol=1e-5, atol=1e-6)


def test_tagger_errors_are_named():
    with pytest.raises(ValueError, match="output"):
        TaggerConfig(output="hmm")
    with pytest.raises(ValueError, match="not BIO"):
        SequenceTagger(TaggerConfig(constraints="bio"), 10, 5, ["NOUN", "VERB"])
    model = SequenceTagger(TaggerConfig(hidden_size=4), 10, 5, ["A", "B"])
    with pytest.raises(ValueError, match="reads characters"):
        model(torch.zeros(3, 1, dtype=torch.long), torch.tensor([3]))
