"""A cell added by a user: equations as two functions, one register_cell entry, and it runs in
Recurrent (explicit, picked by auto), matches a hand loop, passes gradcheck and takes forget_bias.

The cell is the minimal gated unit (MGU, Zhou et al. 2016), gate blocks f, n (G = 2):

    f_t = σ(W_if x_t + b_if + W_hf h_{t-1} + b_hf)
    n_t = tanh(W_in x_t + b_in + W_hn (f_t ⊙ h_{t-1}) + b_hn)
    h_t = (1 − f_t) ⊙ h_{t-1} + f_t ⊙ n_t
"""

from __future__ import annotations

import re

import pytest
import torch
import torch.nn.functional as F

from rnnlab.cells.spec import CELLS, CellSpec, register_cell
from rnnlab.layers import Recurrent


def mgu_gates(x, h_prev, *, weight_ih, weight_hh, bias_ih, bias_hh):
    a_f, a_n = F.linear(x, weight_ih, bias_ih).chunk(2, dim=-1)  # (B, H) each
    w_hf, w_hn = weight_hh.chunk(2, dim=0)  # (H, H) each
    b_hf, b_hn = (None, None) if bias_hh is None else bias_hh.chunk(2)
    f = torch.sigmoid(a_f + F.linear(h_prev, w_hf, b_hf))  # f_t
    n = torch.tanh(a_n + F.linear(f * h_prev, w_hn, b_hn))  # n_t
    return {"f": f, "n": n}


def mgu_step(x, h_prev, **weights):
    q = mgu_gates(x, h_prev, **weights)
    f, n = q["f"], q["n"]
    h = (1 - f) * h_prev + f * n  # h_t = (1 − f_t) ⊙ h_{t-1} + f_t ⊙ n_t
    return h, h


MGU = CellSpec(
    name="test-mgu",
    gate_names=("f", "n"),
    state_names=("h",),
    step=mgu_step,
    gates=mgu_gates,
    forget_gate="f",
    description="minimal gated unit (Zhou et al. 2016)",
)


@pytest.fixture(autouse=True)
def mgu_registered():
    register_cell(MGU)
    yield
    del CELLS[MGU.name]


def hand_loop(layer, x, lengths):
    """Each sequence alone, cut to its length, the MGU written out with matrix products."""
    T, B, _ = x.shape
    D = layer.num_directions
    H = layer.hidden_size
    outs, finals = [], [[None] * B for _ in range(layer.num_layers * D)]
    for b in range(B):
        n_b = lengths[b]
        seq = x[:n_b, b]  # (n, I)
        for l in range(layer.num_layers):
            per_dir = []
            for d in range(D):
                sfx = f"_l{l}" + ("_reverse" if d else "")
                W_ih, W_hh = getattr(layer, "weight_ih" + sfx), getattr(layer, "weight_hh" + sfx)
                b_ih, b_hh = getattr(layer, "bias_ih" + sfx), getattr(layer, "bias_hh" + sfx)
                h, hs = torch.zeros(H, dtype=x.dtype), [None] * n_b
                for t in range(n_b - 1, -1, -1) if d else range(n_b):
                    f = torch.sigmoid(W_ih[:H] @ seq[t] + b_ih[:H] + W_hh[:H] @ h + b_hh[:H])
                    n = torch.tanh(W_ih[H:] @ seq[t] + b_ih[H:] + W_hh[H:] @ (f * h) + b_hh[H:])
                    h = (1 - f) * h + f * n
                    hs[t] = h
                per_dir.append(torch.stack(hs))
                finals[l * D + d][b] = h
            seq = torch.cat(per_dir, dim=-1)  # (n, D·H)
        outs.append(torch.cat([seq, seq.new_zeros(T - n_b, seq.shape[1])]))
    return torch.stack(outs, dim=1), torch.stack([torch.stack(f) for f in finals])


def test_auto_picks_the_explicit_loop_and_fused_is_refused():
    layer = Recurrent("test-mgu", 3, 4)
    assert layer.backend_used == "explicit" and "backend='explicit' (auto)" in repr(layer)
    assert layer.weight_hh_l0.shape == (8, 4)  # G·H rows, torch.nn's names
    with pytest.raises(ValueError, match=re.escape(
            "backend='fused' is not available for cell 'test-mgu': no fused kernel computes "
            "its equations; use backend='explicit' or 'auto'")):
        Recurrent("test-mgu", 3, 4, backend="fused")


def test_register_refuses_the_name_twice():
    with pytest.raises(ValueError, match="a cell named 'test-mgu' is already registered"):
        register_cell(MGU)


@pytest.mark.parametrize(("num_layers", "bidirectional"), [(1, False), (2, True)])
def test_layer_matches_the_hand_loop_with_lengths(num_layers, bidirectional):
    layer = Recurrent("test-mgu", 3, 4, num_layers, bidirectional=bidirectional, batch_first=True)
    x = torch.randn(3, 5, 3)  # (B, T, I)
    lengths = [5, 2, 4]
    out, h_n = layer(x, lengths=lengths)
    want_out, want_h = hand_loop(layer, x.transpose(0, 1), lengths)
    torch.testing.assert_close(out, want_out.transpose(0, 1), rtol=0, atol=1e-6)
    torch.testing.assert_close(h_n, want_h, rtol=0, atol=1e-6)
    q = layer.cells[0].gates(x[:, 0])
    assert set(q) == {"f", "n"} and q["f"].shape == (3, 4)


def test_gradcheck_float64():
    layer = Recurrent("test-mgu", 2, 3, 2, bidirectional=True, dtype=torch.float64)
    x = torch.randn(4, 3, 2, dtype=torch.float64, requires_grad=True)
    names = [n for n, _ in layer.named_parameters()]

    def f(x, *params):
        out, h_n = torch.func.functional_call(
            layer, dict(zip(names, params, strict=True)), (x,), {"lengths": [4, 1, 3]}
        )
        return out, h_n

    assert torch.autograd.gradcheck(f, (x, *layer.parameters()), fast_mode=True)


def test_forget_bias_and_state_dict_keys_follow_the_spec():
    layer = Recurrent("test-mgu", 3, 4, 2, forget_bias=1.5)
    for sfx in ("_l0", "_l1"):
        assert torch.equal(getattr(layer, "bias_ih" + sfx)[:4], torch.full((4,), 1.5))
        assert torch.equal(getattr(layer, "bias_hh" + sfx)[:4], torch.zeros(4))
    assert list(layer.state_dict())[:2] == ["weight_ih_l0", "weight_hh_l0"]
