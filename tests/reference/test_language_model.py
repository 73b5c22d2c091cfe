"""The NumPy language model: loss and every gradient vs autograd, finite differences, TBPTT."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import rnnlab.reference as R

TOL = 1e-8
KINDS = list(R.CELLS)
V, E, H, L = 7, 3, 4, 2


class TorchLM(nn.Module):
    """nn.Embedding -> rnnlab layer -> nn.Linear, cross-entropy averaged over T and B."""

    def __init__(self, layer: nn.Module) -> None:
        super().__init__()
        self.embedding = nn.Embedding(V, E, dtype=torch.float64)
        self.rnn = layer
        self.decoder = nn.Linear(H, V, dtype=torch.float64)

    def forward(self, inputs, targets, state=None):
        out, state = self.rnn(self.embedding(inputs), state)
        logits = self.decoder(out)
        return F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1)), state


def _pair(kind, twins):
    torch_lm = TorchLM(twins.rnnlab_layer(kind, E, H, L))
    ref = R.LanguageModel(V, E, H, L, kind)
    ref.load_params({k: v.detach().numpy() for k, v in torch_lm.state_dict().items()})
    return torch_lm, ref


def _tokens(rng, T, B):
    return rng.integers(0, V, (T, B)), rng.integers(0, V, (T, B))


@pytest.mark.parametrize("kind", KINDS)
def test_loss_and_every_gradient_match_autograd(kind, rng, twins):
    torch_lm, ref = _pair(kind, twins)
    inputs, targets = _tokens(rng, 8, 3)
    J_t, _ = torch_lm(torch.tensor(inputs), torch.tensor(targets))
    J_t.backward()
    J, _, cache = ref.forward(inputs, targets)
    grads, _ = ref.backward(cache)
    assert abs(J - J_t.item()) < TOL
    torch_grads = torch_lm.state_dict(keep_vars=True)  # torch.nn's names: rnn.weight_ih_l0 …
    assert set(grads) == set(torch_grads)
    for name, g in grads.items():
        np.testing.assert_allclose(g, torch_grads[name].grad.numpy(), atol=TOL, rtol=0,
                                   err_msg=name)


def test_initial_loss_is_about_log_V(rng):
    ref = R.LanguageModel(50, 8, 16, 1, "lstm", rng=np.random.default_rng(0))
    J, _, _ = ref.forward(rng.integers(0, 50, (20, 4)), rng.integers(0, 50, (20, 4)))
    assert abs(J - np.log(50)) < 0.3  # ŷ nearly uniform before training


@pytest.mark.parametrize("kind", KINDS)
def test_gradients_match_central_finite_differences(kind, rng):
    ref = R.LanguageModel(5, 2, 3, 2, kind, rng=np.random.default_rng(3))
    inputs, targets = rng.integers(0, 5, (4, 2)), rng.integers(0, 5, (4, 2))
    _, _, cache = ref.forward(inputs, targets)
    grads, _ = ref.backward(cache)
    eps = 1e-6
    for name, W in ref.params.items():
        for idx in rng.choice(W.size, size=min(4, W.size), replace=False):
            j = np.unravel_index(idx, W.shape)
            old = W[j]
            W[j] = old + eps
            J_plus = ref.forward(inputs, targets)[0]
            W[j] = old - eps
            J_minus = ref.forward(inputs, targets)[0]
            W[j] = old
            numeric = (J_plus - J_minus) / (2 * eps)
            assert abs(numeric - grads[name][j]) < 1e-7 + 1e-5 * abs(numeric), (name, j)


@pytest.mark.parametrize("kind", ["lstm", "elman-sigmoid"])
def test_tbptt_carries_state_and_truncation_drops_exactly_the_cross_chunk_term(kind, rng, twins):
    torch_lm, ref = _pair(kind, twins)
    inputs, targets = _tokens(rng, 10, 2)
    # forward in two chunks with the state carried == forward over the whole sequence
    J_full, s_full, cache_full = ref.forward(inputs, targets)
    J1, s1, cache1 = ref.forward(inputs[:5], targets[:5])
    J2, s2, cache2 = ref.forward(inputs[5:], targets[5:], s1)
    assert abs(J_full - (J1 + J2) / 2) < 1e-12
    for a, b in zip(s_full, s2, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-12, rtol=0)
    # chunk 2 alone (truncated) == torch with the state detached at the chunk edge
    _, s1_t = torch_lm(torch.tensor(inputs[:5]), torch.tensor(targets[:5]))
    s1_t = tuple(s.detach() for s in s1_t) if isinstance(s1_t, tuple) else s1_t.detach()
    torch_lm.zero_grad()
    J2_t, _ = torch_lm(torch.tensor(inputs[5:]), torch.tensor(targets[5:]), s1_t)
    J2_t.backward()
    g2, ds1 = ref.backward(cache2)
    assert abs(J2 - J2_t.item()) < TOL
    for name, p in torch_lm.state_dict(keep_vars=True).items():
        np.testing.assert_allclose(g2[name], p.grad.numpy(), atol=TOL, rtol=0, err_msg=name)
    # and full BPTT = the truncated parts + chunk 1 fed the gradient ∂J2/∂s_5 that TBPTT drops
    g_full, _ = ref.backward(cache_full)
    g1, _ = ref.backward(cache1, dstate=ds1)
    for name in g_full:
        np.testing.assert_allclose(g_full[name], (g1[name] + g2[name]) / 2, atol=1e-12, rtol=0)


def test_bad_tokens_get_clear_errors():
    ref = R.LanguageModel(5, 2, 3)
    with pytest.raises(ValueError, match=r"expected inputs in \[0, 5\)"):
        ref.forward(np.full((2, 1), 9), np.zeros((2, 1), int))
    with pytest.raises(ValueError, match="expected targets of shape"):
        ref.forward(np.zeros((2, 1), int), np.zeros((3, 1), int))
    with pytest.raises(ValueError, match="expected inputs as integers"):
        ref.forward(np.zeros((2, 1)), np.zeros((2, 1), int))
    with pytest.raises(ValueError, match="expected cell in"):
        R.LanguageModel(5, 2, 3, cell="transformer")
    with pytest.raises(ValueError, match="expected cell in"):
        R.Recurrent("elman-softsign", 2, 3)
    with pytest.raises(ValueError, match="expected nonlinearity in"):
        R.ElmanCell(2, 3, nonlinearity="softsign")
    with pytest.raises(ValueError, match="expected weight_hh of shape"):
        R.ElmanCell(2, 3).load_params({"weight_ih": np.zeros((3, 2)), "weight_hh": np.zeros(3),
                                      "bias_ih": np.zeros(3), "bias_hh": np.zeros(3)})


def test_loss_stays_finite_when_a_probability_underflows(rng):
    ref = R.LanguageModel(V, E, H, 1, "gru")
    ref.b_y[:] = 0.0
    ref.b_y[0] = 800.0  # ŷ of every other token underflows to exactly 0 in float64
    inputs, targets = np.zeros((3, 2), int), np.ones((3, 2), int)
    J, _, cache = ref.forward(inputs, targets)
    logits = torch.tensor(np.einsum("tbh,vh->tbv", cache[2], ref.W_y) + ref.b_y)
    expected = F.cross_entropy(logits.reshape(-1, V), torch.tensor(targets).reshape(-1))
    assert np.isfinite(J)
    assert abs(J - expected.item()) < 1e-9 * abs(expected.item())
