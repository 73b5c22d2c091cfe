"""Clipping and optimisers vs torch, the pure-NumPy TBPTT training loop, sampling, no torch."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

import rnnlab.reference as R


@pytest.mark.parametrize(("name", "torch_cls"), [("sgd", torch.optim.SGD),
                                                 ("adagrad", torch.optim.Adagrad),
                                                 ("adam", torch.optim.Adam)])
def test_optimizers_match_torch(name, torch_cls, rng):
    params = {"a": rng.standard_normal((3, 4)), "b": rng.standard_normal(5)}
    torch_params = [torch.tensor(p.copy(), requires_grad=True) for p in params.values()]
    opt = R.make_optimizer(name, params, lr=0.05)
    torch_opt = torch_cls(torch_params, lr=0.05)
    for _ in range(5):
        grads = {k: rng.standard_normal(p.shape) for k, p in params.items()}
        for tp, g in zip(torch_params, grads.values(), strict=True):
            tp.grad = torch.tensor(g)
        torch_opt.step()
        opt.step(grads)
    for p, tp in zip(params.values(), torch_params, strict=True):
        np.testing.assert_allclose(p, tp.detach().numpy(), atol=1e-12, rtol=0)


def test_clipping_matches_torch(rng):
    grads = {"a": 10 * rng.standard_normal((3, 4)), "b": 10 * rng.standard_normal(5)}
    ts = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads.values()]
    for t, g in zip(ts, grads.values(), strict=True):
        t.grad = torch.tensor(g.copy())
    by_value = {k: g.copy() for k, g in grads.items()}
    norm = R.clip_grad_norm(grads, 1.0)
    torch_norm = torch.nn.utils.clip_grad_norm_(ts, 1.0)
    assert abs(norm - torch_norm.item()) < 1e-12 and norm > 1.0  # the pre-clip norm
    assert abs(R.global_norm(grads) - 1.0) < 1e-12
    for g, t in zip(grads.values(), ts, strict=True):  # torch divides by ‖g‖ + 1e-6, hence rtol
        np.testing.assert_allclose(g, t.grad.numpy(), atol=0, rtol=1e-6)
    R.clip_grad_value(by_value, 0.5)
    assert max(np.abs(g).max() for g in by_value.values()) == 0.5


def test_tiny_char_lm_learns_in_pure_numpy_and_samples():
    text = "hello world, hello rnn. " * 30
    chars = sorted(set(text))
    ids = np.array([chars.index(ch) for ch in text])
    model = R.LanguageModel(len(chars), 8, 24, 1, "lstm", rng=np.random.default_rng(0))
    config = R.ReferenceTrainConfig(batch_size=4, bptt=16, epochs=4, lr=0.03)
    history = R.train_language_model(model, ids, config)
    first, last = history[0]["loss"], np.mean([h["loss"] for h in history[-5:]])
    assert abs(first - np.log(len(chars))) < 0.5  # starts near log V
    assert last < 0.5 * first, (first, last)  # and learns the repeated phrase
    out = R.sample(model, [chars.index("h")], 12, temperature=0.5, rng=np.random.default_rng(0))
    assert len(out) == 12 and all(0 <= t < len(chars) for t in out)


def test_batchify_and_chunks_cover_the_stream():
    data = R.batchify(np.arange(23), 3)  # 7 rows, 3 streams
    assert data.shape == (7, 3) and list(data[:, 1]) == list(range(7, 14))
    pieces = list(R.chunks(data, 4))
    assert [p[0].shape[0] for p in pieces] == [4, 2]
    np.testing.assert_array_equal(pieces[0][1], data[1:5])
    with pytest.raises(ValueError, match="expected at least 6 tokens"):
        R.batchify(np.arange(5), 3)


def test_reference_engine_imports_and_runs_without_torch():
    code = textwrap.dedent("""
        import sys
        sys.modules["torch"] = None  # any `import torch` now raises ImportError
        import numpy as np
        import rnnlab.reference as R
        m = R.LanguageModel(6, 3, 4, 2, "gru")
        J, _, cache = m.forward(np.zeros((3, 2), int), np.ones((3, 2), int))
        m.backward(cache)
        assert not any(k == "torch" or k.startswith("torch.") for k in sys.modules
                       if sys.modules[k] is not None)
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
