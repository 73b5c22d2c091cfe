"""The language model and its regularisers: log V at step 0, tying, state, dropouts."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
import torch
import torch.nn.functional as F

from rnnlab.cells.state import select_rows
from rnnlab.models.language_model import LanguageModel, LMConfig
from rnnlab.models.regularizers import (
    LockedDropout,
    activation_regularization,
    embedding_dropout,
    temporal_activation_regularization,
)

SMALL = LMConfig(embedding_size=16, hidden_size=24, num_layers=2)


def _tokens(vocab: int, t: int = 7, b: int = 3) -> torch.Tensor:
    return torch.randint(0, vocab, (t, b))


@pytest.mark.parametrize("cell", ["lstm", "gru", "elman-tanh", "elman-sigmoid"])
def test_step0_loss_is_log_vocabulary(cell):
    vocab = 500
    model = LanguageModel(LMConfig(cell=cell, embedding_size=32, hidden_size=32), vocab)
    x, y = _tokens(vocab, 20, 8), _tokens(vocab, 20, 8)
    logits, _ = model(x)
    assert logits.shape == (20, 8, vocab)
    loss = F.cross_entropy(logits.reshape(-1, vocab), y.reshape(-1))
    assert abs(loss.item() - math.log(vocab)) < 0.05  # near-uniform first guess


def test_weight_tying_shares_one_tensor_and_sizes_the_last_layer():
    model = LanguageModel(LMConfig(embedding_size=16, hidden_size=24, tie_weights=True), 50)
    assert model.decoder.weight is model.embedding.weight
    assert model.layers[0].hidden_size == 24 and model.layers[-1].hidden_size == 16
    # W_e 50x16; LSTM 16->24: 4·24·(16+24) + 2·4·24; LSTM 24->16: 4·16·(24+16) + 2·4·16; b_s 50
    assert model.num_parameters() == 800 + 4032 + 2688 + 50


def test_checkpoint_keys_keep_torch_names():
    """Checkpoints written before the layers owned their cells load unchanged."""
    model = LanguageModel(SMALL, 30)
    keys = list(model.state_dict())
    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    assert keys[1:5] == [f"layers.0.{n}_l0" for n in names]
    assert "layers.1.weight_hh_l0" in keys and not any("cells" in k for k in keys)
    twin = LanguageModel(SMALL, 30)
    twin.load_state_dict(model.state_dict())
    torch.testing.assert_close(twin.layers[1].weight_hh_l0, model.layers[1].weight_hh_l0)


def test_state_carries_across_chunks_exactly():
    model = LanguageModel(SMALL, 30).eval()
    x = _tokens(30, 10, 2)
    whole, _ = model(x)
    first, state = model(x[:6])
    second, _ = model(x[6:], state)
    torch.testing.assert_close(torch.cat([first, second]), whole)


def test_init_state_equals_no_state_and_select_rows_repeats_rows():
    model = LanguageModel(SMALL, 30).eval()
    x = _tokens(30, 5, 3)
    a, state = model(x)
    b, _ = model(x, model.init_state(3))
    torch.testing.assert_close(a, b)
    picked = select_rows(state, torch.tensor([2, 2]))
    h, _c = picked[0]
    assert h.shape == (1, 2, 24) and torch.equal(h[0, 0], state[0][0][0, 2])


def test_explicit_and_fused_backends_agree():
    config = LMConfig(embedding_size=16, hidden_size=24, backend="explicit")
    explicit = LanguageModel(config, 40).eval()
    fused = LanguageModel(LMConfig(embedding_size=16, hidden_size=24, backend="fused"), 40).eval()
    fused.load_state_dict(explicit.state_dict())
    x = _tokens(40)
    torch.testing.assert_close(explicit(x)[0], fused(x)[0], atol=1e-5, rtol=1e-5)


def test_bad_configs_and_inputs():
    with pytest.raises(ValueError, match="bidirectional=False"):
        LMConfig(bidirectional=True)
    with pytest.raises(ValueError, match="unknown cell 'transformer'"):
        LMConfig(cell="transformer")
    with pytest.raises(ValueError, match="did you mean 'elman-sigmoid'"):
        LMConfig(cell="elman_sigmoid")  # the old spelling
    with pytest.raises(ValueError, match="cell 'elman-relu' has none"):
        LMConfig(cell="elman-relu", forget_bias=1.0)
    with pytest.raises(ValueError, match="dropout_hidden"):
        LMConfig(dropout_hidden=1.0)
    model = LanguageModel(SMALL, 30)
    with pytest.raises(ValueError, match=r"\(T, B\) int64"):
        model(torch.zeros(3, 2, 5))


def test_locked_dropout_mask_is_shared_over_time():
    drop = LockedDropout(0.5).train()
    y = drop(torch.ones(9, 4, 6))
    assert torch.equal(y, y[:1].expand_as(y))  # the same mask at every t
    assert set(y.unique().tolist()) <= {0.0, 2.0}
    assert torch.equal(drop.eval()(y), y)


@pytest.mark.parametrize("mask", ["locked", "step"])
def test_dropout_mask_locked_shares_over_time_and_step_does_not(mask):
    config = replace(SMALL, dropout_output=0.5, dropout_mask=mask)
    model = LanguageModel(config, 30).train()
    x = torch.ones(40, 3, config.hidden_size)  # (T, B, H)
    y = model.drop_output(x)
    shared = torch.equal(y, y[:1].expand_as(y))
    assert shared == (mask == "locked")
    assert set(y.unique().tolist()) <= {0.0, 2.0}
    assert torch.equal(model.eval().drop_output(x), x)


def test_dropout_mask_rejects_unknown_kinds():
    with pytest.raises(ValueError, match=r"dropout_mask in \('locked', 'step'\), got 'time'"):
        LMConfig(dropout_mask="time")


def test_embedding_dropout_drops_word_types_everywhere():
    weight = torch.randn(10, 4)
    tokens = torch.tensor([[3, 3, 5], [5, 3, 7]])
    torch.manual_seed(1)
    out = embedding_dropout(weight, tokens, 0.5, training=True)
    for word in (3, 5, 7):
        rows = out[tokens == word]
        same = torch.equal(rows, (weight[word] * 2).expand_as(rows))
        assert same or torch.equal(rows, torch.zeros_like(rows))
    assert torch.equal(embedding_dropout(weight, tokens, 0.5, training=False), weight[tokens])


def test_ar_and_tar_match_their_formulas():
    h = torch.tensor([[[1.0, 2.0]], [[3.0, 5.0]]])  # (T=2, B=1, H=2)
    assert activation_regularization(h, 2.0).item() == pytest.approx(2.0 * (1 + 4 + 9 + 25) / 4)
    assert temporal_activation_regularization(h, 1.0).item() == pytest.approx((4 + 9) / 2)
    assert temporal_activation_regularization(h[:1], 1.0).item() == 0.0


def test_training_mode_with_all_regularisers_runs_and_learns():
    config = LMConfig(
        embedding_size=16,
        hidden_size=16,
        tie_weights=True,
        dropout_embedding=0.1,
        dropout_input=0.2,
        dropout_hidden=0.2,
        dropout_output=0.2,
        weight_drop=0.3,
    )
    model = LanguageModel(config, 12).train()
    assert [layer.weight_drop for layer in model.layers] == [0.3, 0.3]
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    x = torch.arange(12).repeat(4).view(-1, 1)  # a cyclic sequence: learnable
    losses = []
    for _ in range(60):
        logits, _ = model(x[:-1])
        loss = F.cross_entropy(logits.view(-1, 12), x[1:].view(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


class _TorchRecipe(torch.nn.Module):
    """The plain PyTorch word-LM recipe: Embedding, Dropout, nn.LSTM(dropout), Dropout, tied."""

    def __init__(self, vocab: int, size: int, layers: int, p: float) -> None:
        super().__init__()
        self.drop = torch.nn.Dropout(p)
        self.encoder = torch.nn.Embedding(vocab, size)
        self.rnn = torch.nn.LSTM(size, size, layers, dropout=p)
        self.decoder = torch.nn.Linear(size, vocab)
        self.decoder.weight = self.encoder.weight

    def forward(self, tokens, state=None):
        out, state = self.rnn(self.drop(self.encoder(tokens)), state)
        return self.decoder(self.drop(out)), state


@pytest.mark.parametrize("backend", ["fused", "explicit"])
def test_step_masks_train_exactly_like_the_plain_pytorch_recipe(backend):
    """Same weights, same random stream -> the same dropout masks, losses and weights."""
    V, E, p = 40, 12, 0.3
    torch.manual_seed(0)
    peer = _TorchRecipe(V, E, 2, p)
    config = LMConfig(embedding_size=E, hidden_size=E, num_layers=2, tie_weights=True,
                      dropout_input=p, dropout_hidden=p, dropout_output=p,
                      dropout_mask="step", backend=backend)
    ours = LanguageModel(config, V)
    with torch.no_grad():
        ours.embedding.weight.copy_(peer.encoder.weight)
        ours.decoder.bias.copy_(peer.decoder.bias)
        for index, layer in enumerate(ours.layers):
            for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(layer, f"{kind}_l0").copy_(getattr(peer.rnn, f"{kind}_l{index}"))
    tokens = _tokens(V, t=9, b=4)
    losses = {}
    for name, model in (("ours", ours), ("peer", peer)):
        torch.manual_seed(7)
        opt = torch.optim.SGD(model.parameters(), lr=1.0)
        losses[name] = []
        for _ in range(3):
            logits, _ = model(tokens[:-1])
            loss = F.cross_entropy(logits.reshape(-1, V), tokens[1:].reshape(-1))
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses[name].append(loss.item())
    tol = 0 if backend == "fused" else 1e-5
    assert losses["ours"] == pytest.approx(losses["peer"], abs=tol, rel=tol)
    torch.testing.assert_close(ours.layers[1].weight_hh_l0, peer.rnn.weight_hh_l1,
                               atol=tol, rtol=tol)
