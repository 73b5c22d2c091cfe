"""Forecaster: shapes for every strategy/cell/head, the recursive loop against one long pass,
seq2seq causality, heads against torch.distributions, highway, config errors, it learns."""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch

from rnnlab.cells.spec import CELLS, cell_names, get_cell, register_cell
from rnnlab.models.forecast_heads import GaussianHead, QuantileHead
from rnnlab.models.forecaster import Forecaster, ForecasterConfig, ForecastShape, batch_first

B, L, F, C, K, H = 3, 10, 5, 2, 2, 6



def config(**kw) -> tuple[ForecasterConfig, ForecastShape]:
    """(model config, shape) for ``Forecaster(*config(...))``; size keywords go to the shape."""
    sizes = dict(input_size=F, known_size=C, num_targets=K, horizon=H)
    sizes.update({k: kw.pop(k) for k in list(kw) if k in sizes})
    return ForecasterConfig(**{"hidden_size": 8, **kw}), ForecastShape(**sizes)


def batch():
    g = torch.Generator().manual_seed(1)
    return (
        torch.randn(B, L, F, generator=g),
        torch.randn(B, H, C, generator=g),
        torch.randn(B, H, K, generator=g),
    )


@pytest.mark.parametrize("cell", cell_names())
@pytest.mark.parametrize(
    "strategy,output",
    [
        ("direct", "point"),
        ("direct", "gaussian"),
        ("direct", "quantile"),
        ("seq2seq", "point"),
        ("seq2seq", "quantile"),
        ("recursive", "point"),
    ],
)
def test_shapes_and_gradients(cell, strategy, output):
    model = Forecaster(*config(cell=cell, strategy=strategy, output=output))
    x, known, y = batch()
    P = {"point": 1, "gaussian": 2, "quantile": 3}[output]
    assert model(x, known).shape == (B, H, K, P)
    loss = model.loss(x, known, y)
    loss.backward()
    assert torch.isfinite(loss) and all(p.grad is not None for p in model.parameters())
    point = model.predict(x, known)
    assert point.shape == (B, H, K)


@pytest.mark.parametrize("encoder", ["rnn", "cnn", "mlp", "transformer"])
def test_recursive_forecast_equals_one_pass_over_its_own_feedback(encoder):
    """The state carried step by step (an RNN's h, c; the CNN's and MLP's input tails; the
    Transformer's input memory) continues the window exactly."""
    torch.manual_seed(0)
    fields = {"cell": "lstm"} if encoder == "rnn" else {"encoder": encoder, "num_heads": 2}
    model = Forecaster(*config(strategy="recursive", **fields)).eval()
    x, known, _ = batch()
    pred = model.predict(x, known)  # (B, H, K)
    # rebuild the fed-back rows, then run the encoder once over window + rows
    rows, seq = [], x
    with torch.no_grad():
        for h in range(H):
            out, _ = batch_first(model.encoder, seq)
            nxt = model.proj(out[:, -1])  # values at step h
            assert torch.allclose(nxt[:, :K], pred[:, h], atol=1e-6)
            rows.append(torch.cat([nxt, known[:, h]], dim=-1))
            seq = torch.cat([x, torch.stack(rows, dim=1)], dim=1)


def test_seq2seq_step_h_never_sees_later_known_features():
    model = Forecaster(*config(strategy="seq2seq")).eval()
    x, known, _ = batch()
    later = known.clone()
    later[:, 3:] += 5.0
    with torch.no_grad():
        a, b = model(x, known), model(x, later)
    assert torch.equal(a[:, :3], b[:, :3]) and not torch.allclose(a[:, 3:], b[:, 3:])


def test_gaussian_nll_matches_torch_distributions():
    out = torch.randn(4, 3, 2, 2, dtype=torch.float64)
    y = torch.randn(4, 3, 2, dtype=torch.float64)
    head = GaussianHead()
    mu, sigma = head.mean_std(out)
    expected = -torch.distributions.Normal(mu, sigma).log_prob(y).mean()
    assert torch.allclose(head.loss(out, y), expected)
    lo, hi = head.interval(out, 0.9)
    assert torch.allclose((hi - lo) / (2 * sigma), torch.full_like(mu, 1.6448536), atol=1e-6)


def test_pinball_loss_and_quantile_intervals():
    head = QuantileHead((0.9, 0.1, 0.5))
    assert head.quantiles == (0.1, 0.5, 0.9)
    out = torch.tensor([[[[1.0, 2.0, 3.0]]]])  # (1, 1, 1, 3)
    y = torch.tensor([[[2.5]]])
    # per quantile: 0.1·1.5, 0.5·0.5, (0.9 − 1)(−0.5)
    expected = (0.1 * 1.5 + 0.5 * 0.5 + 0.1 * 0.5) / 3
    assert head.loss(out, y).item() == pytest.approx(expected)
    crossed = torch.tensor([[[[3.0, 2.0, 1.0]]]])
    lo, hi = head.interval(crossed, 0.8)
    assert lo.item() == 1.0 and hi.item() == 3.0 and head.point(crossed).item() == 2.0
    with pytest.raises(ValueError, match="needs quantiles 0.05 and 0.95"):
        head.interval(out, 0.9)
    with pytest.raises(ValueError, match="include 0.5"):
        QuantileHead((0.1, 0.9))


def test_highway_adds_a_linear_map_of_the_last_rows():
    model = Forecaster(*config(highway=4)).eval()
    x, known, _ = batch()
    with torch.no_grad():
        model.proj.weight.zero_()
        model.proj.bias.zero_()
        expected = model.highway(x[:, -4:].flatten(1)).view(B, H, K)
        assert torch.allclose(model.predict(x, known), expected, atol=1e-6)


def test_backends_agree():
    torch.manual_seed(0)
    a = Forecaster(*config(cell="gru", backend="explicit"))
    b = Forecaster(*config(cell="gru", backend="fused"))
    b.load_state_dict(a.state_dict())
    x, known, _ = batch()
    assert torch.allclose(a(x, known), b(x, known), atol=1e-5)


def test_config_errors():
    with pytest.raises(ValueError, match="probabilistic output needs strategy"):
        config(strategy="recursive", output="gaussian")
    with pytest.raises(ValueError, match="unknown cell 'transformer'"):
        config(cell="transformer")
    with pytest.raises(ValueError, match="did you mean 'elman-tanh'"):
        config(cell="elman")  # the old spelling
    with pytest.raises(ValueError, match="cell 'elman-tanh' has none"):
        config(cell="elman-tanh", forget_bias=1.0)
    with pytest.raises(ValueError, match="num_targets <= input_size - known_size = 3"):
        config(num_targets=4)
    model = Forecaster(*config())
    with pytest.raises(ValueError, match=r"expected x of shape \(B, L, 5\), got \(2, 10, 4\)"):
        model(torch.zeros(2, 10, 4), torch.zeros(2, H, C))


def test_forget_bias_reaches_every_layer_of_encoder_and_decoder():
    model = Forecaster(*config(cell="lstm", forget_bias=1.0, strategy="seq2seq", num_layers=2))
    for rnn in (model.encoder, model.decoder):
        for cell in rnn.cells:
            assert torch.equal(cell.bias_ih[8:16], torch.ones(8))
            assert torch.equal(cell.bias_hh[8:16], torch.zeros(8))


def test_a_registered_custom_cell_runs_the_explicit_loop():
    spec = dataclasses.replace(get_cell("gru"), name="test-gru-no-kernel", fused=None,
                               sequence=None)
    register_cell(spec)
    try:
        model = Forecaster(*config(cell=spec.name, strategy="seq2seq"))
        x, known, _ = batch()
        assert model(x, known).shape == (B, H, K, 1)
        assert model.encoder.backend_used == "explicit"
    finally:
        del CELLS[spec.name]


def test_direct_gru_learns_a_sine():
    torch.manual_seed(0)
    t = torch.arange(400, dtype=torch.float32)
    series = torch.sin(2 * math.pi * t / 24)
    starts = torch.arange(24, 400 - 12, 6)
    x = torch.stack([series[s - 24 : s] for s in starts]).unsqueeze(-1)  # (N, 24, 1)
    y = torch.stack([series[s : s + 12] for s in starts]).unsqueeze(-1)  # (N, 12, 1)
    known = torch.zeros(len(starts), 12, 0)
    model = Forecaster(
        ForecasterConfig(hidden_size=16),
        ForecastShape(input_size=1, known_size=0, num_targets=1, horizon=12),
    )
    opt = torch.optim.Adam(model.parameters(), lr=2e-2)
    first = model.loss(x, known, y).item()
    for _ in range(80):
        opt.zero_grad()
        loss = model.loss(x, known, y)
        loss.backward()
        opt.step()
    assert first > 0.3 and loss.item() < 0.01  # variance of a sine is 0.5
