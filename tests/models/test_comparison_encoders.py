"""The comparison encoders (transformer, cnn, mlp): shapes, causality, padding, carried state."""

from __future__ import annotations

import pytest
import torch

from rnnlab.models.encoders import EncoderConfig, build_encoder
from rnnlab.models.transformer import TransformerDecoder, sinusoidal_positions

SMALL = dict(hidden_size=8, num_layers=2, num_heads=2, window=3, kernel_size=3)
KINDS = ("transformer", "cnn", "mlp")


def _encoder(kind: str, bidirectional: bool = False, input_size: int = 5, **fields):
    config = EncoderConfig(encoder=kind, bidirectional=bidirectional, **{**SMALL, **fields})
    return build_encoder(config, input_size).eval()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_shapes_and_attributes(kind, bidirectional):
    encoder = _encoder(kind, bidirectional)
    out, _ = encoder(torch.randn(7, 3, 5))
    assert out.shape == (7, 3, 8) and encoder.output_size == 8
    assert encoder.causal is (not bidirectional)


@pytest.mark.parametrize("kind", KINDS)
def test_causal_output_t_never_sees_later_inputs(kind):
    encoder = _encoder(kind)
    x = torch.randn(9, 2, 5)
    changed = x.clone()
    changed[5:] = torch.randn(4, 2, 5)  # only steps t >= 5 differ
    a, _ = encoder(x)
    b, _ = encoder(changed)
    torch.testing.assert_close(a[:5], b[:5], rtol=0, atol=1e-6)
    assert (a[5:] - b[5:]).abs().max() > 1e-3  # ... and they do reach the outputs after


@pytest.mark.parametrize("kind", KINDS)
def test_bidirectional_output_sees_later_inputs(kind):
    encoder = _encoder(kind, bidirectional=True)
    x = torch.randn(9, 2, 5)
    changed = x.clone()
    changed[5] += 1.0
    assert (encoder(x)[0][4] - encoder(changed)[0][4]).abs().max() > 1e-4


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_padding_never_leaks(kind, bidirectional):
    """Each padded sequence's outputs equal those of the sequence alone; zeros after it."""
    encoder = _encoder(kind, bidirectional)
    lengths = torch.tensor([7, 3, 5])
    x = torch.randn(7, 3, 5)
    garbage = x.clone()
    for b, n in enumerate(lengths.tolist()):
        garbage[n:, b] = 100.0  # the padding holds anything
    out, _ = encoder(garbage, lengths=lengths)
    for b, n in enumerate(lengths.tolist()):
        alone, _ = encoder(x[:n, b : b + 1])
        torch.testing.assert_close(out[:n, b : b + 1], alone, rtol=1e-5, atol=1e-5)
        assert out[n:, b].abs().sum() == 0


@pytest.mark.parametrize("kind", ["cnn", "mlp"])
def test_carried_state_reads_a_stream_in_chunks_exactly(kind):
    encoder = _encoder(kind)
    x = torch.randn(20, 2, 5)
    whole, _ = encoder(x)
    parts, state = [], None
    for chunk in x.split(6):  # 6 + 6 + 6 + 2 steps
        out, state = encoder(chunk, state=state)
        parts.append(out)
    torch.testing.assert_close(torch.cat(parts), whole, rtol=1e-5, atol=1e-6)


def test_cnn_reads_exactly_its_receptive_field():
    encoder = _encoder("cnn", num_layers=3, kernel_size=2)
    r = encoder.receptive_field
    assert r == 1 + 2 * 1 * (2**3 - 1)  # 15 steps
    x = torch.randn(30, 1, 5)
    base, _ = encoder(x)
    t = 25
    inside, outside = x.clone(), x.clone()
    inside[t - r + 1] += 1.0  # the oldest step output t reads
    outside[t - r] += 1.0  # one step older: out of reach
    assert (encoder(inside)[0][t] - base[t]).abs().max() > 1e-5
    torch.testing.assert_close(encoder(outside)[0][t], base[t], rtol=0, atol=0)


def test_mlp_is_dense_layers_over_the_window():
    encoder = _encoder("mlp", num_layers=1, window=3, input_size=2)
    x = torch.randn(4, 1, 2)
    out, state = encoder(x)
    w = torch.cat([x[1], x[2], x[3]], dim=-1)  # [x_{t-2}; x_{t-1}; x_t] at t = 3
    expected = torch.tanh(encoder.layers[0](w))
    torch.testing.assert_close(out[3], expected)
    torch.testing.assert_close(state, x[2:])  # the last k − 1 inputs


def test_transformer_is_differentiable_in_float64():
    encoder = _encoder("transformer", num_layers=1).double()
    x = torch.randn(4, 2, 5, dtype=torch.float64, requires_grad=True)
    lengths = torch.tensor([4, 2])
    assert torch.autograd.gradcheck(lambda v: encoder(v, lengths=lengths)[0], (x,))


def test_cnn_and_mlp_gradients_match_finite_differences():
    for kind in ("cnn", "mlp"):
        encoder = _encoder(kind, num_layers=1).double()
        x = torch.randn(5, 2, 5, dtype=torch.float64, requires_grad=True)
        assert torch.autograd.gradcheck(lambda v, e=encoder: e(v)[0], (x,))


def test_sinusoidal_positions_are_vaswanis_table():
    table = sinusoidal_positions(3, 4)
    assert table[0].tolist() == [0.0, 1.0, 0.0, 1.0]
    torch.testing.assert_close(table[2, 0], torch.sin(torch.tensor(2.0)))
    torch.testing.assert_close(table[2, 3], torch.cos(torch.tensor(2.0 / 100.0)))


def test_learned_positions_refuse_a_sequence_longer_than_max_length():
    encoder = _encoder("transformer", max_length=4)
    with pytest.raises(ValueError, match="longer than the 4 learned positions"):
        encoder(torch.randn(5, 1, 5))
    sinusoidal = _encoder("transformer", positions="sinusoidal", max_length=4)
    assert sinusoidal(torch.randn(5, 1, 5))[0].shape == (5, 1, 8)


def test_decoder_is_causal_and_ignores_source_padding():
    config = EncoderConfig(encoder="transformer", **SMALL)
    decoder = TransformerDecoder(config, 6).eval()
    y, memory = torch.randn(5, 2, 6), torch.randn(4, 2, 8)
    out = decoder(y, memory, memory_lengths=torch.tensor([4, 2]))
    assert out.shape == (5, 2, 8)
    later = y.clone()
    later[3:] = 0.0
    torch.testing.assert_close(decoder(later, memory, torch.tensor([4, 2]))[:3], out[:3])
    padded = memory.clone()
    padded[2:, 1] = 50.0  # source padding of the second pair
    torch.testing.assert_close(decoder(y, padded, torch.tensor([4, 2])), out)


def test_config_checks_name_the_encoder_and_field():
    with pytest.raises(ValueError, match="divisible by num_heads"):
        EncoderConfig(encoder="transformer", hidden_size=10, num_heads=4)
    with pytest.raises(ValueError, match="unknown positions"):
        EncoderConfig(encoder="transformer", positions="rotary")
    with pytest.raises(ValueError, match="kernel_size >= 2"):
        EncoderConfig(encoder="cnn", kernel_size=1)
    with pytest.raises(ValueError, match="odd window"):
        EncoderConfig(encoder="mlp", window=4, bidirectional=True)
    with pytest.raises(ValueError, match="weight_drop = 0.5 is a setting of the rnn encoder"):
        EncoderConfig(encoder="cnn", weight_drop=0.5)
    with pytest.raises(ValueError, match="state"):
        _encoder("transformer")(torch.randn(3, 1, 5), state=torch.zeros(1))
    with pytest.raises(ValueError, match="needs bidirectional = false and no lengths"):
        _encoder("mlp")(torch.randn(3, 1, 5), lengths=torch.tensor([2]),
                        state=torch.zeros(2, 1, 5))


def test_rnn_encoder_keeps_the_layers_checkpoint_keys():
    encoder = build_encoder(EncoderConfig(cell="gru", hidden_size=4), 3)
    keys = list(encoder.state_dict())
    assert keys == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    twin = build_encoder(EncoderConfig(cell="gru", hidden_size=4), 3)
    twin.load_state_dict(encoder.rnn.state_dict())  # a bare Recurrent's checkpoint loads
    torch.testing.assert_close(twin.rnn.weight_hh_l0, encoder.rnn.weight_hh_l0)


def test_transformer_memory_carries_the_last_inputs():
    """With memory M ≥ the stream, chunks with the state carried equal one pass; with a
    shorter memory each chunk sees at most M steps before it."""
    encoder = _encoder("transformer", memory=32)
    x = torch.randn(12, 2, 5)
    whole, _ = encoder(x)
    first, state = encoder(x[:5])
    assert state.shape == (5, 2, 5)
    second, state = encoder(x[5:], state=state)
    torch.testing.assert_close(torch.cat([first, second]), whole, rtol=1e-5, atol=1e-5)
    short = _encoder("transformer", memory=3)
    _, state = short(x[:5])
    torch.testing.assert_close(state, x[2:5])
    out, _ = short(x[5:], state=state)
    torch.testing.assert_close(out, short(x[2:])[0][3:], rtol=1e-5, atol=1e-5)
    assert _encoder("transformer", memory=0)(x)[1] is None


@pytest.mark.parametrize("kind", KINDS)
def test_forecaster_and_language_model_read_through_any_causal_encoder(kind):
    from rnnlab.models.forecaster import Forecaster, ForecasterConfig, ForecastShape
    from rnnlab.models.language_model import LanguageModel, LMConfig

    fields = dict(encoder=kind, hidden_size=8, num_layers=2, num_heads=2, window=4)
    model = Forecaster(ForecasterConfig(**fields), ForecastShape(5, 2, 2, 3))
    loss = model.loss(torch.randn(4, 12, 5), torch.randn(4, 3, 2), torch.randn(4, 3, 2))
    loss.backward()
    assert all(p.grad is not None for p in model.parameters())
    lm = LanguageModel(LMConfig(**{**fields, "embedding_size": 8, "tie_weights": True}), 30)
    tokens = torch.randint(0, 30, (9, 2))
    logits, state = lm(tokens)
    assert logits.shape == (9, 2, 30) and lm.decoder.weight is lm.embedding.weight
    assert lm.backend_used == kind and len(state) == 1


def test_models_refuse_what_their_encoder_cannot_do():
    from rnnlab.models.forecaster import ForecasterConfig
    from rnnlab.models.language_model import LMConfig

    with pytest.raises(ValueError, match="seq2seq.*needs encoder 'rnn'"):
        ForecasterConfig(encoder="cnn", strategy="seq2seq")
    with pytest.raises(ValueError, match="bidirectional=False"):
        LMConfig(encoder="transformer", bidirectional=True)
    with pytest.raises(ValueError, match="needs hidden_size == embedding_size"):
        LMConfig(encoder="transformer", tie_weights=True, hidden_size=64, embedding_size=32)
    with pytest.raises(ValueError, match="dropout_hidden acts between recurrent layers"):
        LMConfig(encoder="mlp", dropout_hidden=0.2)
    with pytest.raises(ValueError, match="set dropout_hidden"):
        LMConfig(dropout=0.2)
