"""The registry of cell kinds: the one vocabulary every part of rnnlab names cells with.

Symbols (every cell's equations use them):

    B batch, I input size, H hidden size, G gate blocks (len(gate_names))
    x (B, I) the input x_t        state: h (B, H), or a tuple such as (h, c)
    weight_ih (G·H, I)   weight_hh (G·H, H)   bias_ih, bias_hh (G·H,) or None

A :class:`CellSpec` says what a kind of cell is: its gate blocks in PyTorch's
order, its state, the functions that compute one step and its gates, the
fixed options of those functions, which gate block ``forget_bias`` sets, the
PyTorch kernel (if any) that computes exactly the same function, rnnlab's own
whole-sequence kernel (if any; the ``sequence`` backend) and zoneout rates. The
equations live in one file per cell (``elman.py``, ``lstm.py``, ``gru.py``,
``ln_lstm.py``, ``ln_gru.py``, ``zoneout.py``);
adding a cell is one such file and one :func:`register_cell` call (see
docs/adding_a_cell.md). ``step`` and ``gates`` are called as

    h, state = step(x, state, weight_ih=…, weight_hh=…, bias_ih=…, bias_hh=…, **options)
    q = gates(x, state, <the same keywords>)    # {gate: (B, H)}, post-activation

plus one keyword per extra parameter when the spec has ``extra_parameters``,
and ``zoneout_mask=(d_h, …)`` (one (B, H) tensor per state) when it has
``zoneout`` rates: the caller draws the masks (:func:`rnnlab.cells.zoneout.zoneout_masks`).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

import torch
from torch import Tensor

from rnnlab.cells.elman import elman_gates, elman_step
from rnnlab.cells.gru import gru_gates, gru_step
from rnnlab.cells.ln_gru import ln_gru_gates, ln_gru_step
from rnnlab.cells.ln_lstm import ln_lstm_gates, ln_lstm_step
from rnnlab.cells.lstm import lstm_gates, lstm_step
from rnnlab.cells.zoneout import check_zoneout, zoneout_cell


@dataclass(frozen=True)
class ExtraParameter:
    """A parameter a cell has besides W_ih, W_hh, b_ih, b_hh (e.g. LayerNorm gains)."""

    shape: tuple[int, ...]
    init: Callable[[Tensor], Any]  # in-place initialiser, e.g. torch.nn.init.ones_


@dataclass(frozen=True)
class CellSpec:
    """One kind of cell: its equations and what the layers need to know about them."""

    name: str  # the registry name, e.g. "lstm"
    gate_names: tuple[str, ...]  # weight blocks in PyTorch order, e.g. ("i", "f", "g", "o")
    state_names: tuple[str, ...]  # ("h",) or ("h", "c"); the first is always h
    step: Callable[..., tuple[Tensor, Any]]  # step(x, state, **weights, **options)
    gates: Callable[..., dict[str, Tensor]]  # gates(x, state, **weights, **options)
    options: Mapping[str, Any] = field(default_factory=dict)  # fixed keywords of step/gates
    forget_gate: str | None = None  # the block `forget_bias` sets (LSTM "f", GRU "z")
    fused: str | None = None  # PyTorch kernel mode computing exactly these equations, or None
    description: str = ""
    # (input_size, hidden_size) -> {name: ExtraParameter}: more parameters for the generic cell,
    # passed to step/gates by name; cells with them have fused=None
    extra_parameters: Callable[[int, int], Mapping[str, ExtraParameter]] | None = None
    # the whole-sequence kernel of the `sequence` backend computing these equations
    # ("elman", "lstm", "gru", "ln-lstm", "ln-gru"; rnnlab.layers.sequence_cells), or None
    sequence: str | None = None
    zoneout: Mapping[str, float] = field(default_factory=dict)  # rate z per state name

    def __post_init__(self) -> None:
        if not self.name or not isinstance(self.name, str):
            raise ValueError(f"expected a non-empty cell name, got {self.name!r}")
        if not self.gate_names or not self.state_names or self.state_names[0] != "h":
            raise ValueError(
                f"cell {self.name!r}: expected gate names and state names starting with 'h', "
                f"got {self.gate_names!r}, {self.state_names!r}"
            )
        if self.forget_gate is not None and self.forget_gate not in self.gate_names:
            raise ValueError(
                f"cell {self.name!r}: expected forget_gate in {self.gate_names}, "
                f"got {self.forget_gate!r}"
            )
        object.__setattr__(self, "gate_names", tuple(self.gate_names))
        object.__setattr__(self, "state_names", tuple(self.state_names))
        check_zoneout(self.zoneout, self.state_names, self.name)
        object.__setattr__(self, "options", MappingProxyType(dict(self.options)))
        object.__setattr__(self, "zoneout", MappingProxyType(dict(self.zoneout)))

    @property
    def num_gates(self) -> int:
        """G: the number of H-row blocks in W_ih and W_hh."""
        return len(self.gate_names)

    @property
    def forget_index(self) -> int | None:
        """The block index of ``forget_gate`` (LSTM 1, GRU 1), None when the cell has none."""
        return None if self.forget_gate is None else self.gate_names.index(self.forget_gate)

    @property
    def zoneout_rates(self) -> tuple[float, ...]:
        """z per state tensor, in ``state_names`` order (0 where unset); () without zoneout."""
        if not self.zoneout:
            return ()
        return tuple(float(self.zoneout.get(name, 0.0)) for name in self.state_names)

    def __deepcopy__(self, memo: dict) -> CellSpec:
        return self  # immutable: a copied module shares its spec

    def __reduce__(self) -> tuple:
        values = [getattr(self, f.name) for f in fields(self)]
        return (CellSpec, tuple(dict(v) if isinstance(v, Mapping) else v for v in values))


CELLS: dict[str, CellSpec] = {}


def register_cell(spec: CellSpec, *, replace: bool = False) -> CellSpec:
    """Add ``spec`` to the registry under ``spec.name``; refuse a taken name unless ``replace``."""
    if not isinstance(spec, CellSpec):
        raise TypeError(f"expected a CellSpec, got {type(spec).__name__}")
    if spec.name in CELLS and not replace:
        raise ValueError(
            f"a cell named {spec.name!r} is already registered; pass replace=True to replace it"
        )
    CELLS[spec.name] = spec
    return spec


def get_cell(name: str | CellSpec) -> CellSpec:
    """The spec registered as ``name`` (a spec is returned as is), or a did-you-mean error."""
    if isinstance(name, CellSpec):
        return name
    if isinstance(name, str) and name in CELLS:
        return CELLS[name]
    spelled = str(name).lower().replace("_", "-")  # "LSTM", "elman_sigmoid": old spellings
    close = difflib.get_close_matches(spelled, list(CELLS), n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ValueError(f"unknown cell {name!r}: expected one of {', '.join(CELLS)}{hint}")


def cell_names() -> list[str]:
    """The registered cell names, in registration order."""
    return list(CELLS)


for _nonlinearity in ("tanh", "relu", "sigmoid"):
    register_cell(
        CellSpec(
            name=f"elman-{_nonlinearity}",
            gate_names=("h",),
            state_names=("h",),
            step=elman_step,
            gates=elman_gates,
            options={"nonlinearity": _nonlinearity},
            fused=_nonlinearity,  # sigmoid: the tanh kernel through an exact identity
            sequence="elman",
            description=f"Elman network, h_t = {_nonlinearity}(W_ih x_t + W_hh h_{{t-1}} + b)",
        )
    )
del _nonlinearity
register_cell(
    CellSpec(
        name="lstm",
        gate_names=("i", "f", "g", "o"),
        state_names=("h", "c"),
        step=lstm_step,
        gates=lstm_gates,
        forget_gate="f",
        fused="lstm",
        sequence="lstm",
        description="long short-term memory with a forget gate (torch.nn.LSTM)",
    )
)
register_cell(
    CellSpec(
        name="gru",
        gate_names=("r", "z", "n"),
        state_names=("h",),
        step=gru_step,
        gates=gru_gates,
        forget_gate="z",  # h_t = z_t ⊙ h_{t-1} + …: z keeps the state as f does in the LSTM
        fused="gru",
        sequence="gru",
        description="gated recurrent unit, PyTorch's variant (torch.nn.GRU)",
    )
)


def _ln_parameters(num_gates: int) -> Callable[[int, int], dict[str, ExtraParameter]]:
    """γ_ih, γ_hh (G·H,) = 1, and for the LSTM γ_c = 1, β_c = 0 (H,) (Ba et al. 2016)."""

    def make(input_size: int, hidden_size: int) -> dict[str, ExtraParameter]:
        gh = num_gates * hidden_size
        extra = {"ln_gain_ih": ExtraParameter((gh,), torch.nn.init.ones_),
                 "ln_gain_hh": ExtraParameter((gh,), torch.nn.init.ones_)}
        if num_gates == 4:
            extra["ln_gain_c"] = ExtraParameter((hidden_size,), torch.nn.init.ones_)
            extra["ln_bias_c"] = ExtraParameter((hidden_size,), torch.nn.init.zeros_)
        return extra

    return make


register_cell(
    CellSpec(
        name="ln-lstm",
        gate_names=("i", "f", "g", "o"),
        state_names=("h", "c"),
        step=ln_lstm_step,
        gates=ln_lstm_gates,
        forget_gate="f",
        sequence="ln-lstm",
        extra_parameters=_ln_parameters(4),
        description="LSTM with layer normalisation of both pre-activations and of c_t "
        "(Ba et al. 2016)",
    )
)
register_cell(
    CellSpec(
        name="ln-gru",
        gate_names=("r", "z", "n"),
        state_names=("h",),
        step=ln_gru_step,
        gates=ln_gru_gates,
        forget_gate="z",
        sequence="ln-gru",
        extra_parameters=_ln_parameters(3),
        description="GRU with layer normalisation of both pre-activations (Ba et al. 2016)",
    )
)
register_cell(zoneout_cell(CELLS["lstm"], h=0.05, c=0.5))  # Krueger et al. 2017, char-level PTB
register_cell(zoneout_cell(CELLS["gru"], h=0.1))
