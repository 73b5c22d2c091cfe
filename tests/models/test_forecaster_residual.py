"""Forecaster with ``residual_ar``: a frozen linear AR plus the network's learned correction."""

from __future__ import annotations

import pytest
import torch

from rnnlab.models.forecaster import Forecaster, ForecasterConfig, ForecastShape

B, L, F, C, K, H, S = 4, 10, 5, 2, 2, 6, 7


def config(**kw) -> tuple[ForecasterConfig, ForecastShape]:
    """(model config, shape) for ``Forecaster(*config(...))``; size keywords go to the shape."""
    sizes = dict(input_size=F, known_size=C, num_targets=K, horizon=H)
    sizes.update({k: kw.pop(k) for k in list(kw) if k in sizes})
    return ForecasterConfig(**{"hidden_size": 8, "residual_ar": S, **kw}), ForecastShape(**sizes)


def batch():
    g = torch.Generator().manual_seed(3)
    return (
        torch.randn(B, L, F, generator=g),
        torch.randn(B, H, C, generator=g),
        torch.randn(B, H, K, generator=g),
    )


def weights() -> torch.Tensor:
    return torch.randn(S * F + 1, H * K, generator=torch.Generator().manual_seed(4))


def reference_base(x: torch.Tensor, A: torch.Tensor) -> torch.Tensor:
    """A [x_{t−S..t−1}, 1] written out with loops over the window rows."""
    out = A[-1].expand(B, -1).clone()  # bias row
    for s in range(S):  # row s of the last S rows uses A[s·F : (s+1)·F]
        out += x[:, L - S + s] @ A[s * F : (s + 1) * F]
    return out.view(B, H, K)


@pytest.mark.parametrize("strategy", ["direct", "seq2seq"])
@pytest.mark.parametrize("output", ["point", "gaussian", "quantile"])
@pytest.mark.parametrize("normalize", ["none", "last"])
def test_untrained_model_forecasts_exactly_the_ar(strategy, output, normalize):
    model = Forecaster(*config(strategy=strategy, output=output, normalize=normalize)).eval()
    A = weights()
    model.set_residual_ar(A)
    x, known, _ = batch()
    ref = reference_base(x, A)
    torch.testing.assert_close(model.residual_base(x), ref)
    torch.testing.assert_close(model.predict(x, known), ref)  # zero output layer at the start
    if output == "quantile":  # every quantile sits on the AR forecast before training
        torch.testing.assert_close(model(x, known), ref.unsqueeze(-1).expand(-1, -1, -1, 3))


def test_network_output_is_added_to_the_ar_and_only_the_network_learns():
    model = Forecaster(*config())
    model.set_residual_ar(weights())
    torch.nn.init.normal_(model.proj.weight)  # a trained-looking output layer
    x, known, y = batch()
    plain = Forecaster(*config(residual_ar=0))
    plain.load_state_dict({k: v for k, v in model.state_dict().items() if k != "ar_weight"})
    torch.testing.assert_close(
        model.predict(x, known), model.residual_base(x) + plain.predict(x, known)
    )
    assert "ar_weight" in model.state_dict()  # saved with the checkpoint
    assert all(p is not model.ar_weight for p in model.parameters())  # never trained
    before = model.ar_weight.clone()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    model.loss(x, known, y).backward()
    assert model.encoder.parameters().__next__().grad.abs().sum() > 0
    opt.step()
    torch.testing.assert_close(model.ar_weight, before)


def test_the_correction_learns_what_the_ar_misses():
    """y = AR part + a nonlinear part; the AR alone leaves the nonlinear part as error."""
    torch.manual_seed(0)
    model = Forecaster(*config(num_targets=1, input_size=3, known_size=0, hidden_size=16))
    A = torch.zeros(S * 3 + 1, H)
    A[-1] = 0.5
    model.set_residual_ar(A)
    x = torch.randn(256, L, 3)
    y = (0.5 + torch.tanh(2 * x[:, -1, :1])).expand(-1, H).unsqueeze(-1)  # (B, H, 1)
    known = torch.zeros(256, H, 0)
    ar_mse = torch.mean((model.residual_base(x) - y) ** 2).item()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(150):
        opt.zero_grad()
        model.loss(x, known, y).backward()
        opt.step()
    assert torch.mean((model.predict(x, known) - y) ** 2).item() < 0.2 * ar_mse


def test_errors():
    with pytest.raises(ValueError, match="residual_ar >= 0"):
        config(strategy="recursive")
    with pytest.raises(ValueError, match="residual_ar >= 0"):
        config(residual_ar=-1)
    model = Forecaster(*config())
    with pytest.raises(ValueError, match=r"expected AR weights of shape \(36, 12\), got \(3, 12\)"):
        model.set_residual_ar(torch.zeros(3, H * K))
    with pytest.raises(ValueError, match="finite"):
        model.set_residual_ar(torch.full((S * F + 1, H * K), float("nan")))
    with pytest.raises(ValueError, match="residual_ar > 0"):
        Forecaster(*config(residual_ar=0)).set_residual_ar(weights())
    x, known, _ = batch()
    short = Forecaster(*config(residual_ar=L + 1))
    with pytest.raises(ValueError, match="at least 11 input steps, got 10"):
        short(x, known)
