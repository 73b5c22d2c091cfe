"""torch.nn compatibility of layers that own their cells: state-dict keys both ways (also nested
in a parent model), attribute access to weight_hh_l0 …, and forget_bias in every cell."""

from __future__ import annotations

import functools

import pytest
import torch
from torch import nn

from rnnlab.cells.spec import cell_names, get_cell
from rnnlab.layers import GRU, LSTM, RNN, Recurrent

# registry name -> the torch.nn layer with the same parameters (sigmoid: nn.RNN's layout)
PEERS = {
    "elman-tanh": nn.RNN,
    "elman-relu": functools.partial(nn.RNN, nonlinearity="relu"),
    "elman-sigmoid": nn.RNN,
    "lstm": nn.LSTM,
    "gru": nn.GRU,
    "zoneout-lstm": nn.LSTM,  # zoneout changes the step, not the parameters
    "zoneout-gru": nn.GRU,
}


class Parent(nn.Module):
    """A model holding a recurrent layer between two other modules."""

    def __init__(self, rnn: nn.Module) -> None:
        super().__init__()
        self.embed = nn.Linear(2, 3)
        self.rnn = rnn
        self.head = nn.Linear(8, 1)


def test_every_registry_cell_has_a_peer_here():
    """Every cell without extra parameters (the LayerNorm cells have gains torch.nn lacks)."""
    plain = {name for name in cell_names() if get_cell(name).extra_parameters is None}
    assert set(PEERS) == plain


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("cell", list(PEERS))
def test_state_dict_keys_and_values_move_both_ways(cell, bias):
    kw = {"bias": bias, "bidirectional": True}
    ours, peer = Recurrent(cell, 3, 4, 2, **kw), PEERS[cell](3, 4, 2, **kw)
    assert list(ours.state_dict()) == list(peer.state_dict())
    assert [v.shape for v in ours.state_dict().values()] == [
        v.shape for v in peer.state_dict().values()]
    peer.load_state_dict(ours.state_dict())  # rnnlab -> torch.nn
    fresh = Recurrent(cell, 3, 4, 2, **kw)
    fresh.load_state_dict(peer.state_dict())  # torch.nn -> rnnlab
    for (k, a), b in zip(fresh.state_dict().items(), ours.state_dict().values(), strict=True):
        assert torch.equal(a, b), k
    own = {f"cells.{k}.{n}": p for k, c in enumerate(ours.cells) for n, p in c.state_dict().items()}
    fresh.load_state_dict(own)  # the cells' own names are taken too


@pytest.mark.parametrize("cell", list(PEERS))
def test_nested_in_a_parent_model_keys_keep_their_prefix(cell):
    ours, peer = Parent(Recurrent(cell, 3, 4, 2, bidirectional=True)), Parent(
        PEERS[cell](3, 4, 2, bidirectional=True))
    assert list(ours.state_dict()) == list(peer.state_dict())
    assert list(ours.state_dict())[2:4] == ["rnn.weight_ih_l0", "rnn.weight_hh_l0"]
    peer.load_state_dict(ours.state_dict())
    ours.load_state_dict(peer.state_dict())
    assert torch.equal(ours.rnn.weight_hh_l1_reverse, peer.rnn.weight_hh_l1_reverse)


def test_load_errors_name_keys_as_torch_nn_does():
    model = Parent(LSTM(3, 4, 2))
    sd = model.state_dict()
    del sd["rnn.bias_hh_l1"]
    sd["rnn.weight_hh_l0_reverse"] = torch.zeros(16, 4)  # a unidirectional layer has none
    with pytest.raises(RuntimeError) as err:
        model.load_state_dict(sd)
    assert 'Missing key(s) in state_dict: "rnn.bias_hh_l1"' in str(err.value)
    assert 'Unexpected key(s) in state_dict: "rnn.weight_hh_l0_reverse"' in str(err.value)


def test_attributes_read_and_write_the_cells_parameters():
    layer = GRU(3, 4, 2, bidirectional=True)
    assert layer.weight_hh_l1_reverse is layer.cells[3].weight_hh
    assert layer.bias_ih_l0 is layer.cells[0].bias_ih
    nn.init.orthogonal_(layer.weight_hh_l0)  # in-place init, as on torch.nn layers
    assert torch.equal(layer.cells[0].weight_hh, layer.weight_hh_l0)
    new = nn.Parameter(torch.zeros(12, 4))
    layer.weight_hh_l1 = new  # assignment goes to the cell
    assert layer.cells[2].weight_hh is new
    for missing in ("weight_hh_l2", "weight_hh_l0_backward", "gain_l0"):
        with pytest.raises(AttributeError):
            getattr(layer, missing)
    with pytest.raises(AttributeError):
        _ = RNN(3, 4, bias=False).bias_ih_l0  # as torch.nn: no bias attribute without bias
    with pytest.raises(AttributeError):
        _ = LSTM(3, 4).weight_ih_l0_reverse


@pytest.mark.parametrize(("cls", "gate"), [(LSTM, 1), (GRU, 1)])
def test_forget_bias_in_every_layer_and_direction(cls, gate):
    """b_ih = v and b_hh = 0 on the forget (LSTM f) / update (GRU z) block of every cell."""
    H = 5
    layer = cls(3, H, 3, bidirectional=True, forget_bias=2.5)
    block = slice(gate * H, (gate + 1) * H)
    for sfx in ("_l0", "_l0_reverse", "_l1", "_l1_reverse", "_l2", "_l2_reverse"):
        b_ih, b_hh = getattr(layer, "bias_ih" + sfx), getattr(layer, "bias_hh" + sfx)
        assert torch.equal(b_ih[block], torch.full((H,), 2.5)), sfx
        assert torch.equal(b_hh[block], torch.zeros(H)), sfx
        rest = torch.cat([b_ih[: gate * H], b_ih[(gate + 1) * H :]])
        assert rest.abs().max() <= H**-0.5 and rest.std() > 0, sfx  # untouched: PyTorch's init
    assert "forget_bias=2.5" in repr(layer)


def test_forget_bias_none_draws_pytorchs_init():
    torch.manual_seed(0)
    ours = LSTM(3, 4, 2, bidirectional=True)
    torch.manual_seed(0)
    peer = nn.LSTM(3, 4, 2, bidirectional=True)
    for a, b in zip(ours.state_dict().values(), peer.state_dict().values(), strict=True):
        assert torch.equal(a, b)


def test_presets_keep_torch_signatures_and_attributes():
    layer = RNN(3, 4, 2, "sigmoid", False, True, 0.0, True)  # torch.nn's positional order
    assert (layer.nonlinearity, layer.bias, layer.batch_first, layer.bidirectional) == (
        "sigmoid", False, True, True)
    assert layer.spec.name == "elman-sigmoid" and layer.state_names == ("h",)
    assert LSTM(3, 4).state_names == ("h", "c") and LSTM(3, 4).spec.name == "lstm"
    head = repr(layer).splitlines()[1]  # the layer's own line, above its cells
    assert "nonlinearity='sigmoid'" in head and "'elman-sigmoid'" not in head
    head = repr(Recurrent("gru", 3, 4)).splitlines()[1].strip()
    assert head == "'gru', 3, 4, backend='fused' (auto)"
