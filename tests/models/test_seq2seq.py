"""Attention and the encoder–decoder: padding never gets weight, padded batches change
nothing, the one-call teacher-forced path equals the step loop, and Bahdanau's and Luong's
equations checked by hand."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from rnnlab.models.attention import Attention, masked_softmax, padding_mask
from rnnlab.models.seq2seq import EncoderDecoder, Seq2SeqConfig

VARIANTS = [  # (attention, cell, bidirectional, input_feeding)
    ("none", "gru", False, False),
    ("bahdanau", "gru", True, False),
    ("bahdanau", "lstm", False, False),
    ("luong-dot", "lstm", False, False),
    ("luong-general", "gru", True, True),
    ("luong-concat", "elman-tanh", False, False),
]


def _model(attention, cell="gru", bidirectional=False, input_feeding=False, **extra):
    config = Seq2SeqConfig(cell=cell, hidden_size=12, embedding_size=6, num_layers=2,
                           attention=attention, bidirectional=bidirectional,
                           input_feeding=input_feeding, dropout_input=0.0, **extra)
    return EncoderDecoder(config, 17, 19).eval()


@pytest.mark.parametrize("score", ["additive", "dot", "general"])
def test_padding_never_gets_weight(score):
    attention = Attention(score, 8, 8)
    values = torch.randn(6, 3, 8)  # (S, B, D)
    lengths = torch.tensor([6, 2, 4])
    values[2:, 1] = 1e4  # huge values where example 1 is padding: they must not matter
    context, alpha = attention(torch.randn(5, 3, 8), attention.memory(values, lengths))
    assert alpha.shape == (5, 3, 6) and context.shape == (5, 3, 8)
    assert (alpha[:, 1, 2:] == 0).all() and (alpha[:, 2, 4:] == 0).all()
    assert torch.allclose(alpha.sum(-1), torch.ones(5, 3))
    assert context[:, 1].abs().max() < 100


def test_masked_softmax_and_mask():
    mask = padding_mask(torch.tensor([2, 3]), 3)
    assert mask.tolist() == [[True, True], [True, True], [False, True]]
    w = masked_softmax(torch.zeros(2, 3), mask.t())
    assert torch.allclose(w, torch.tensor([[0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3]]))
    assert w[0, 2] == 0


def test_bahdanau_and_luong_general_scores_by_hand():
    torch.manual_seed(1)
    h = torch.randn(4, 1, 5)  # h_s (S, B, D)
    q = torch.randn(1, 1, 3)
    additive = Attention("additive", 3, 5, attention_size=7)
    context, alpha = additive(q, additive.memory(h, torch.tensor([4])))
    e = torch.stack([additive.v.weight[0] @ torch.tanh(additive.query_proj.weight @ q[0, 0]
                                                       + additive.key_proj(h[s, 0]))
                     for s in range(4)])  # e_s = vᵀ tanh(W_q q + W_k h_s + b)
    assert torch.allclose(alpha[0, 0], e.softmax(0), atol=1e-6)
    assert torch.allclose(context[0, 0], (e.softmax(0)[:, None] * h[:, 0]).sum(0), atol=1e-6)
    general = Attention("general", 3, 5)
    _, alpha = general(q, general.memory(h, torch.tensor([4])))
    e = torch.stack([q[0, 0] @ general.key_proj.weight @ h[s, 0] for s in range(4)])  # qᵀ W_a h_s
    assert torch.allclose(alpha[0, 0], e.softmax(0), atol=1e-6)


def test_attention_gradcheck_float64():
    attention = Attention("additive", 3, 4).double()
    h = torch.randn(3, 2, 4, dtype=torch.float64, requires_grad=True)
    q = torch.randn(1, 2, 3, dtype=torch.float64, requires_grad=True)
    lengths = torch.tensor([3, 2])
    assert torch.autograd.gradcheck(lambda q, h: attention(q, attention.memory(h, lengths))[0],
                                    (q, h))


@pytest.mark.parametrize(("attention", "cell", "bidirectional", "input_feeding"), VARIANTS)
def test_padded_and_unpadded_batches_give_the_same_outputs(attention, cell, bidirectional,
                                                          input_feeding):
    torch.manual_seed(0)
    model = _model(attention, cell, bidirectional, input_feeding)
    long, short = torch.randint(0, 17, (9,)), torch.randint(0, 17, (4,))
    source = torch.stack([long, torch.cat([short, torch.full((5,), 3)])], 1)  # short padded
    target = torch.randint(0, 19, (6, 2))
    with torch.no_grad():
        both, alpha = model(source, torch.tensor([9, 4]), target)
        alone, alpha_alone = model(short[:, None], torch.tensor([4]), target[:, 1:])
    assert torch.allclose(both[:, 1], alone[:, 0], atol=1e-5)
    if alpha is not None:
        assert (alpha[:, 1, 4:] == 0).all()
        assert torch.allclose(alpha[:, 1, :4], alpha_alone[:, 0], atol=1e-6)


@pytest.mark.parametrize(("attention", "cell", "bidirectional", "input_feeding"), VARIANTS)
def test_one_call_path_equals_the_step_loop(attention, cell, bidirectional, input_feeding):
    torch.manual_seed(0)
    model = _model(attention, cell, bidirectional, input_feeding)
    source, lengths = torch.randint(0, 17, (7, 3)), torch.tensor([7, 3, 5])
    target = torch.randint(0, 19, (5, 3))
    with torch.no_grad():
        fast, a = model(source, lengths, target)
        slow, b = model(source, lengths, target, loop=True)
    assert torch.allclose(fast, slow, atol=1e-5)
    assert (a is None) == (b is None) and (a is None or torch.allclose(a, b, atol=1e-6))


def test_first_loss_is_log_v_and_options():
    torch.manual_seed(0)
    model = _model("bahdanau")
    logits, _ = model(torch.randint(0, 17, (5, 8)), torch.full((8,), 5),
                      torch.randint(0, 19, (4, 8)))
    loss = F.cross_entropy(logits.flatten(0, 1), torch.randint(0, 19, (32,)))
    assert abs(loss.item() - math.log(19)) < 0.2  # a fresh decoder predicts ≈ uniformly
    tied = _model("luong-general", tie_embeddings=True)
    assert tied.decoder.output.weight is tied.decoder.embedding.weight
    zero = _model("none", bridge="zero")
    state = zero.start(torch.randint(0, 17, (5, 2)), torch.tensor([5, 5]))
    assert (state.rnn == 0).all() and state.context.shape == (1, 2, 12)
    with pytest.raises(ValueError, match="input_feeding"):
        Seq2SeqConfig(attention="bahdanau", input_feeding=True)
    with pytest.raises(ValueError, match="luong-general"):
        Seq2SeqConfig(attention="luong-dot", bidirectional=True)


def test_force_mask_reads_the_models_own_previous_argmax():
    torch.manual_seed(0)
    model = _model("bahdanau")
    source, lengths = torch.randint(0, 17, (5, 2)), torch.tensor([5, 4])
    target = torch.randint(0, 19, (4, 2))
    with torch.no_grad():
        gold, _ = model(source, lengths, target)
        forced, _ = model(source, lengths, target, force=torch.ones(4, 2, dtype=torch.bool))
        assert torch.allclose(gold, forced, atol=1e-6)
        free = torch.zeros(4, 2, dtype=torch.bool)
        free[0] = True
        own, _ = model(source, lengths, target, force=free)
        fed = torch.cat([target[:1], own[:-1].argmax(-1)])  # what each free step read
        again, _ = model(source, lengths, fed)
    assert torch.allclose(own, again, atol=1e-5)


@pytest.mark.parametrize(("encoder", "bidirectional"), [("transformer", True),
                                                        ("transformer", False), ("cnn", False)])
def test_a_comparison_encoder_reads_the_source(encoder, bidirectional):
    """Any registered encoder under the recurrent decoder: the bridge starts from the mean of
    the valid outputs (not the encoder's state, which summarises nothing), padding changes
    nothing, and the teacher-forced path equals the step loop."""
    torch.manual_seed(0)
    model = _model("luong-dot", encoder=encoder, bidirectional=bidirectional, num_heads=2)
    assert model.directions == 1 and not model.recurrent_state
    long, short = torch.randint(0, 17, (9,)), torch.randint(0, 17, (4,))
    source = torch.stack([long, torch.cat([short, torch.full((5,), 3)])], 1)
    target = torch.randint(0, 19, (6, 2))
    with torch.no_grad():
        both, alpha = model(source, torch.tensor([9, 4]), target)
        alone, _ = model(short[:, None], torch.tensor([4]), target[:, 1:])
        slow, _ = model(source, torch.tensor([9, 4]), target, loop=True)
    assert both.shape == (6, 2, 19) and (alpha[:, 1, 4:] == 0).all()
    assert torch.allclose(both[:, 1], alone[:, 0], atol=1e-5)
    assert torch.allclose(both, slow, atol=1e-5)
