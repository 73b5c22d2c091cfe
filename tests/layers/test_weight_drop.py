"""forward_weights(), the tensors both backends run on: a subclass's transformation of them,
and weight_drop (DropConnect on every W_hh): the same masks on both backends, none in eval."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnnlab.layers import GRU, LSTM, RNN, Recurrent

BACKENDS = ["explicit", "fused"]


def as_tuple(state):
    return state if isinstance(state, tuple) else (state,)


def close(a, b, atol=1e-5):
    for p, q in zip(as_tuple(a), as_tuple(b), strict=True):
        torch.testing.assert_close(p, q, rtol=0, atol=atol)


class ScaledRecurrentLSTM(LSTM):
    """A variant through the weight hook: W_hh of every layer times a fixed mask."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.register_buffer(
            "mask", (torch.rand(4 * self.hidden_size, self.hidden_size) > 0.3).float()
        )

    def forward_weights(self):
        return [w | {"weight_hh": w["weight_hh"] * self.mask} for w in super().forward_weights()]


def test_weight_hook_is_used_by_both_backends():
    layers = {b: ScaledRecurrentLSTM(3, 4, 2, bidirectional=True, backend=b) for b in BACKENDS}
    layers["explicit"].load_state_dict(layers["fused"].state_dict())
    ref = nn.LSTM(3, 4, 2, bidirectional=True)
    ref.load_state_dict(
        {
            k: v * layers["fused"].mask if "weight_hh" in k else v
            for k, v in layers["fused"].state_dict().items()
            if k != "mask"
        }
    )
    x = torch.randn(5, 2, 3)
    _, want_state = ref(x, None)
    grads = {}
    for b, layer in layers.items():
        out, _ = layer(x, lengths=[5, 3])
        want = pad_packed_sequence(ref(pack_padded_sequence(x, [5, 3]))[0], total_length=5)[0]
        close(out, want)
        grads[b] = torch.autograd.grad(out.sum(), layer.weight_hh_l1)[0]
    close(grads["explicit"], grads["fused"])
    assert (grads["fused"][layers["fused"].mask == 0] == 0).all()  # masked weights get no gradient
    close(layers["fused"](x)[1], want_state)


@pytest.mark.parametrize("backend", ["explicit", "fused"])
def test_weight_drop_equals_lstm_with_the_dropped_matrix(backend):
    layer = LSTM(5, 6, weight_drop=0.4, backend=backend).train()
    plain = LSTM(5, 6, backend="explicit")
    x = torch.randn(8, 3, 5)
    torch.manual_seed(7)
    dropped = F.dropout(layer.weight_hh_l0, 0.4, training=True)  # the mask forward will draw
    with torch.no_grad():
        plain.load_state_dict(layer.state_dict())
        plain.weight_hh_l0.copy_(dropped)
    torch.manual_seed(7)
    out, _ = layer(x)
    torch.testing.assert_close(out, plain(x)[0], atol=1e-5, rtol=1e-5)
    assert (dropped == 0).any()
    out.sum().backward()
    grad = layer.weight_hh_l0.grad
    assert (grad[dropped == 0] == 0).all() and (grad[dropped != 0] != 0).any()
    layer.eval()
    plain.load_state_dict(layer.state_dict())
    torch.testing.assert_close(layer(x)[0], plain(x)[0], atol=1e-5, rtol=1e-5)



@pytest.mark.parametrize("cell", ["lstm", "gru", "elman-tanh", "elman-sigmoid"])
def test_explicit_and_fused_draw_the_same_masks(cell):
    """Seeded alike, both backends drop the same entries of every W_hh (k = l·D + d)."""
    kw = {"bidirectional": True, "weight_drop": 0.5}
    fused = Recurrent(cell, 3, 4, 2, backend="fused", **kw).train()
    explicit = Recurrent(cell, 3, 4, 2, backend="explicit", **kw).train()
    explicit.load_state_dict(fused.state_dict())
    x = torch.randn(6, 2, 3)
    torch.manual_seed(11)
    out_f, state_f = fused(x, lengths=[6, 4])
    torch.manual_seed(11)
    out_e, state_e = explicit(x, lengths=[6, 4])
    torch.testing.assert_close(out_f, out_e, atol=1e-5, rtol=0)
    for a, b in zip(as_tuple(state_f), as_tuple(state_e), strict=True):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=0)
    torch.manual_seed(11)
    masks = [w["weight_hh"] == 0 for w in fused.forward_weights()]
    assert len(masks) == 4 and all(m.any() and not m.all() for m in masks)


def test_weight_drop_draws_one_mask_per_forward_pass():
    layer = GRU(3, 4, weight_drop=0.5).train()
    first, second = layer.forward_weights(), layer.forward_weights()
    assert not torch.equal(first[0]["weight_hh"], second[0]["weight_hh"])
    assert first[0]["weight_ih"] is layer.weight_ih_l0  # only W_hh is dropped


@pytest.mark.parametrize("backend", ["explicit", "fused"])
def test_no_weight_drop_in_eval(backend):
    layer = RNN(3, 4, 2, weight_drop=0.6, backend=backend).eval()
    plain = RNN(3, 4, 2, backend=backend).eval()
    plain.load_state_dict(layer.state_dict())
    x = torch.randn(5, 2, 3)
    torch.testing.assert_close(layer(x)[0], plain(x)[0], atol=0, rtol=0)
    assert all(w["weight_hh"] is c.weight_hh for w, c in zip(layer.forward_weights(), layer.cells,
                                                            strict=True))
    assert "weight_drop=0.6" in repr(layer)
