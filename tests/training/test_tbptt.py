"""TBPTT: gradients equal the explicit unrolled computation of the same window.

The reference unrolls an Elman network by hand with a separate copy of the
weights at every time step (the textbook picture of BPTT: the gradient of a
shared weight is the sum of the gradients of its copies), with the state at
the window's start computed without a graph.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from rnnlab.training import StepResult, TrainConfig, Trainer
from rnnlab.training.tbptt import Window, tbptt, tbptt_windows

T, B, I, H = 12, 2, 2, 3


def _data(seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(T, B, I, generator=g, dtype=torch.float64)
    y = torch.randn(T, B, H, generator=g, dtype=torch.float64)
    return x, y


def _rnn(seed=1):
    torch.manual_seed(seed)
    return nn.RNN(I, H).double()


def reference(params, x, y, h0, windows):
    """Per-window gradients {W, U, b} by explicit unrolling with per-step weight copies.

    ``params`` is a list (one (W, U, b) per window: the weights used for that
    window); the anchor state of each window is the state at its start recorded
    (as a plain value) during the previous window's forward.
    """
    anchors = {0: h0}
    grads = []
    for (W, U, b), w in zip(params, windows, strict=True):
        h = anchors[w.start]  # held fixed: a constant, no graph
        copies = [(W.clone().requires_grad_(), U.clone().requires_grad_(),
                   b.clone().requires_grad_()) for _ in range(w.start, w.end)]
        outs = []
        for i, t in enumerate(range(w.start, w.end)):
            Wt, Ut, bt = copies[i]
            h = torch.tanh(x[t] @ Wt.T + h @ Ut.T + bt)  # h_t = tanh(W x_t + U h_{t-1} + b)
            outs.append(h)
            if t + 1 == w.next_anchor:
                anchors[w.next_anchor] = h.detach()
        out = torch.stack(outs[w.loss_from - w.start:])
        loss = ((out - y[w.loss_from:w.end]) ** 2).mean()
        flat = [p for c in copies for p in c]
        g = torch.autograd.grad(loss, flat)
        grads.append([sum(g[k::3]) for k in range(3)])  # Σ_t ∂L/∂θ_t
    return grads


def _wub(rnn):
    return (rnn.weight_ih_l0.detach().clone(), rnn.weight_hh_l0.detach().clone(),
            (rnn.bias_ih_l0 + rnn.bias_hh_l0).detach().clone())


def test_windows_follow_williams_peng():
    assert tbptt_windows(10, 3, 5) == [
        Window(start=0, loss_from=0, end=3, next_anchor=1),
        Window(start=1, loss_from=3, end=6, next_anchor=4),
        Window(start=4, loss_from=6, end=9, next_anchor=5),
        Window(start=5, loss_from=9, end=10, next_anchor=5),
    ]
    assert [(w.start, w.end) for w in tbptt_windows(6, 2)] == [(0, 2), (2, 4), (4, 6)]
    with pytest.raises(ValueError, match="0 < k1 <= k2"):
        tbptt_windows(10, 4, 2)


@pytest.mark.parametrize(("k1", "k2"), [(3, 3), (4, 4), (3, 5), (2, 7), (12, 12), (5, 12)])
def test_tbptt_gradients_equal_unrolled_reference(k1, k2):
    x, y = _data()
    rnn = _rnn()
    h0 = torch.randn(1, B, H, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    got = []

    def capture():
        got.append([rnn.weight_ih_l0.grad.clone(), rnn.weight_hh_l0.grad.clone(),
                    rnn.bias_ih_l0.grad.clone(), rnn.bias_hh_l0.grad.clone()])
        rnn.zero_grad()

    losses, final = tbptt(rnn, x, y, nn.functional.mse_loss, k1, k2, state=h0, update=capture)
    windows = tbptt_windows(T, k1, k2)
    expected = reference([_wub(rnn)] * len(windows), x, y, h0[0], windows)
    assert len(got) == len(expected) == len(losses)
    for (gw, gu, gbi, gbh), (rw, ru, rb) in zip(got, expected, strict=True):
        torch.testing.assert_close(gw, rw, rtol=1e-10, atol=1e-12)
        torch.testing.assert_close(gu, ru, rtol=1e-10, atol=1e-12)
        torch.testing.assert_close(gbi, rb, rtol=1e-10, atol=1e-12)
        torch.testing.assert_close(gbh, rb, rtol=1e-10, atol=1e-12)
    full, _ = rnn(x, h0)
    torch.testing.assert_close(final, full[-1:].detach())  # the forward saw the whole stream
    assert not final.requires_grad


def test_truncation_really_cuts_the_graph():
    """With k2 = k1 the gradient differs from full BPTT: the cut is not a no-op."""
    x, y = _data()
    rnn = _rnn()
    tbptt(rnn, x, y, nn.functional.mse_loss, T, T)
    full = rnn.weight_hh_l0.grad.clone()
    rnn.zero_grad()
    grads = []
    tbptt(rnn, x, y, nn.functional.mse_loss, 3, 3,
          update=lambda: grads.append(rnn.weight_hh_l0.grad.clone()) or rnn.zero_grad())
    assert not torch.allclose(sum(grads) / len(grads), full)


class ChunkTask:
    """A stream cut into chunks of k1 for the trainer (an Elman RNN, MSE)."""

    def __init__(self, k1):
        self.x, self.y = _data()
        self.model = _rnn()
        self.chunk_length = k1

    def batches(self, split, epoch):
        if split != "train":
            return []
        k = self.chunk_length
        return [(self.x[i:i + k], self.y[i:i + k]) for i in range(0, T, k)]

    def step(self, batch, state):
        x, y = batch
        out, state = self.model(x, state)
        return StepResult(loss=nn.functional.mse_loss(out, y), state=state, items=y.numel())

    def eval_metrics(self, mean_loss):
        return {}


class GradLog:
    def __init__(self):
        self.grads = []

    def on_step_end(self, trainer, step, result):
        m = trainer.model
        self.grads.append([m.weight_ih_l0.grad.clone(), m.weight_hh_l0.grad.clone(),
                           m.bias_ih_l0.grad.clone()])


@pytest.mark.parametrize(("k1", "k2"), [(3, None), (3, 6), (2, 6)])
def test_trainer_tbptt_equals_unrolled_reference_with_sgd_updates(tmp_path, k1, k2):
    lr = 0.1
    task = ChunkTask(k1)
    W, U, b = _wub(task.model)  # θ_0
    callback = GradLog()
    config = TrainConfig(epochs=1, optimizer="sgd", lr=lr, carry_state=True, bptt_k2=k2,
                         progress=False)
    Trainer(task, config, tmp_path, callbacks=[callback]).fit()
    windows = tbptt_windows(T, k1, k2)
    assert len(callback.grads) == len(windows) == T // k1
    # replay with the same SGD updates; anchors depend on earlier windows' weights
    anchors_params, expected = [], []
    for i in range(len(windows)):
        anchors_params.append((W, U, b))
        grads = reference(anchors_params, task.x, task.y, torch.zeros(B, H, dtype=torch.float64),
                          windows[: i + 1])[-1]
        expected.append(grads)
        W, U, b = W - lr * grads[0], U - lr * grads[1], b - 2 * lr * grads[2]
    for (gw, gu, gbi), (rw, ru, rb) in zip(callback.grads, expected, strict=True):
        torch.testing.assert_close(gw, rw, rtol=1e-9, atol=1e-12)
        torch.testing.assert_close(gu, ru, rtol=1e-9, atol=1e-12)
        torch.testing.assert_close(gbi, rb, rtol=1e-9, atol=1e-12)


def test_bptt_k2_needs_a_multiple_of_the_chunk_length(tmp_path):
    config = TrainConfig(epochs=1, carry_state=True, bptt_k2=5, progress=False)
    with pytest.raises(ValueError, match="multiple of the chunk length k1=3"):
        Trainer(ChunkTask(3), config, tmp_path).fit()
    with pytest.raises(ValueError, match="needs train.carry_state"):
        TrainConfig(bptt_k2=6)
