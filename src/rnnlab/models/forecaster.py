"""``Forecaster``: a recurrent network that forecasts H steps of K series.

Symbols: B windows, L lookback steps, F input features (the last C of them
known in advance: calendar), K targets (the first K inputs), H horizon, Hd
hidden size, P numbers per forecast (see ``forecast_heads``).

Three strategies, any registered cell (``elman-tanh``, ``lstm``, ``gru`` …; a
custom cell is registered with :func:`rnnlab.cells.spec.register_cell`), and
for ``direct`` and ``recursive`` any causal encoder of
:mod:`rnnlab.models.encoders` in place of the RNN (``encoder = "mlp"``: the
courses' dense network on the last ``window`` steps; ``"cnn"``: a dilated
causal TCN; ``"transformer"``):

    direct     h_L = RNN(x_{1..L});  ŷ_{1..H} = W h_L + b                (sequence to vector)
    recursive  ŷ_{t+1} = W RNN(x_{..t}) + b, fed back as x_{t+1}, H times  (autoregressive)
    seq2seq    s = RNN_enc(x_{1..L});  ŷ_h = W RNN_dec(d_h | s) + b,
               d_h = [c_{t+h}, y_t]                                       (encoder–decoder)

The seq2seq decoder reads the known calendar features of each future step and
the last observed targets, never its own forecasts, so training and inference
see the same inputs. The recursive model predicts the next value of every
non-calendar input (it needs them to feed back) and is trained one step ahead
on every position of the window (teacher forcing).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnnlab.models.encoders import EncoderConfig, build_encoder, encoder_config
from rnnlab.models.forecast_heads import POINT_LOSSES, make_head
from rnnlab.models.forecast_norm import FEEDBACK_SAFE, NORMALIZE, SCALED, normalise_window

STRATEGIES = ("direct", "recursive", "seq2seq")


@dataclass(frozen=True)
class ForecastShape:
    """What the data fixes about a window (derived from the data, never a user setting)."""

    input_size: int  # F: input features per step (targets, other columns, calendar)
    known_size: int  # C: of which the last C are known ahead (calendar)
    num_targets: int  # K: the first K inputs are the targets
    horizon: int  # H: steps forecast
    season: int = 0  # m: seasonal period in steps (normalize "anomaly"); 0: none given

    def __post_init__(self) -> None:
        if min(self.input_size, self.num_targets, self.horizon) < 1 or self.known_size < 0:
            raise ValueError(f"expected positive sizes (known_size >= 0), got {self}")
        if self.season < 0:
            raise ValueError(f"expected season >= 0, got {self.season}")
        if not 1 <= self.num_targets <= self.input_size - self.known_size:
            raise ValueError(
                f"expected 1 <= num_targets <= input_size - known_size = "
                f"{self.input_size - self.known_size}, got {self.num_targets}"
            )


@dataclass(frozen=True)
class ForecasterConfig(EncoderConfig):
    """``[model]`` of a forecast run: what the user chooses (sizes come from ForecastShape)."""

    cell: str = "gru"  # rnn: a registry name: "elman-tanh" | "elman-relu" | "elman-sigmoid" |
    # "lstm" | "gru" | "ln-lstm" | "ln-gru" | "zoneout-lstm" | "zoneout-gru" | any cell added
    # with rnnlab.cells.spec.register_cell
    forget_bias: float | None = None  # rnn: LSTM forget / GRU update gate bias; None: PyTorch's
    # init (1.0 for the LSTM: remember by default, Jozefowicz et al. 2015)
    hidden_size: int = 64  # Hd
    num_layers: int = 1  # L stacked layers (blocks of the other encoders)
    dropout: float = 0.0  # between stacked layers and before the output layer
    strategy: str = "direct"  # "direct" | "recursive" | "seq2seq"
    output: str = "point"  # "point" | "gaussian" | "quantile"
    quantiles: tuple[float, ...] = (0.05, 0.5, 0.95)  # quantile output only; must hold 0.5
    loss: str = "mse"  # point output: "mse" | "l1" (lower MAE: the median) | "huber" (δ = 1)
    normalize: str = "none"  # per window: "none" | "last" | "mean" | "revin" | "diff" | "anomaly"
    # instance normalisation of the non-calendar inputs, inverted on the forecast
    # (models/forecast_norm.py): "last" subtracts x_t (NLinear), "mean" the window mean,
    # "revin" mean and std (RevIN, Kim et al. 2022; point or quantile output), "diff"
    # differences the inputs, "anomaly" subtracts the window's mean daily profile. Any but
    # "none" makes the forecast follow a level shift of the inputs exactly
    highway: int = 0  # S > 0 adds a linear map of the last S input rows to the forecast
    # (LSTNet's autoregressive component, Lai et al. 2018); direct and seq2seq only
    residual_ar: int = 0  # S > 0: the forecast is a FROZEN linear AR of the last S input rows,
    # ŷ = A [x_{t−S..t−1}, 1] + network(x), A set by least squares before training
    # (``set_residual_ar``), so the network learns only the AR's error; direct and seq2seq only

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy {self.strategy!r}; expected one of {STRATEGIES}")
        if self.bidirectional:
            raise ValueError("expected bidirectional = false: the forecaster reads the window's "
                             "last output, which a backward direction has barely read")
        if self.encoder != "rnn" and self.strategy == "seq2seq":
            raise ValueError(f"strategy 'seq2seq' hands the encoder's final recurrent state to "
                             f"the decoder: it needs encoder 'rnn', got {self.encoder!r}")
        if self.strategy == "recursive" and self.output != "point":
            raise ValueError(
                "probabilistic output needs strategy 'direct' or 'seq2seq', "
                f"got 'recursive' with output {self.output!r}"
            )
        if self.loss not in POINT_LOSSES:
            raise ValueError(f"unknown point loss {self.loss!r}; expected one of {POINT_LOSSES}")
        if self.loss != "mse" and (self.output != "point" or self.strategy == "recursive"):
            raise ValueError(
                f"loss {self.loss!r} needs output 'point' and strategy 'direct' or 'seq2seq', "
                f"got output {self.output!r} with strategy {self.strategy!r}"
            )
        if self.normalize not in NORMALIZE:
            raise ValueError(f"unknown normalize {self.normalize!r}; expected one of {NORMALIZE}")
        if self.normalize in SCALED and self.output == "gaussian":
            raise ValueError(f"normalize {self.normalize!r} rescales the outputs: use output "
                             "'point' or 'quantile' (or normalize 'mean' with 'gaussian')")
        if self.strategy == "recursive" and self.normalize not in FEEDBACK_SAFE:
            raise ValueError(f"strategy 'recursive' feeds its forecasts back as inputs: "
                             f"normalize must be one of {FEEDBACK_SAFE}, got {self.normalize!r}")
        if self.highway < 0 or (self.highway and self.strategy == "recursive"):
            raise ValueError(
                f"expected highway >= 0 (and 0 with strategy 'recursive'), "
                f"got {self.highway} with {self.strategy!r}"
            )
        if self.residual_ar < 0 or (self.residual_ar and self.strategy == "recursive"):
            raise ValueError(
                f"expected residual_ar >= 0 (and 0 with strategy 'recursive'), "
                f"got {self.residual_ar} with {self.strategy!r}"
            )


def make_encoder(config: ForecasterConfig, input_size: int) -> nn.Module:
    """The configured encoder reading ``input_size`` features per step (time-major)."""
    inner = config.dropout if config.num_layers > 1 or config.encoder != "rnn" else 0.0
    return build_encoder(encoder_config(config, dropout=inner), input_size, causal=True)


def batch_first(encoder: nn.Module, x: Tensor, state=None):
    """Run a time-major encoder on x (B, L, F): -> (out (B, L, Hd), state)."""
    out, state = encoder(x.transpose(0, 1), state=state)  # (L, B, Hd)
    return out.transpose(0, 1), state


class Forecaster(nn.Module):
    """``out = model(x, known)``: raw outputs (B, H, K, P); ``model.head`` reads them."""

    def __init__(self, config: ForecasterConfig, shape: ForecastShape) -> None:
        super().__init__()
        self.config = config
        self.shape = shape
        c, s = config, shape
        self.dynamic = s.input_size - s.known_size  # F − C columns a recursive model feeds back
        self.head = make_head(c.output, c.quantiles, c.loss)
        P = self.head.params
        self.encoder = make_encoder(c, s.input_size)
        self.drop = nn.Dropout(c.dropout)
        Hd = self.encoder.output_size
        if c.strategy == "direct":
            self.proj = nn.Linear(Hd, s.horizon * s.num_targets * P)
        elif c.strategy == "seq2seq":
            self.decoder = make_encoder(c, s.known_size + s.num_targets)
            self.proj = nn.Linear(Hd, s.num_targets * P)
        else:
            self.proj = nn.Linear(Hd, self.dynamic)
        # highway and normalize move the location outputs only (point, mean, every quantile)
        self.register_buffer("location", torch.tensor(self.head.location), persistent=False)
        if c.highway:
            self.highway = nn.Linear(c.highway * s.input_size, s.horizon * s.num_targets)
        if c.residual_ar:  # A: (S·F + 1, H·K), a buffer: saved with the weights, never trained
            self.register_buffer(
                "ar_weight",
                torch.zeros(c.residual_ar * s.input_size + 1, s.horizon * s.num_targets),
            )
            # zero output layer: training starts exactly at the AR forecast (as in ReZero)
            nn.init.zeros_(self.proj.weight)
            nn.init.zeros_(self.proj.bias)

    def set_residual_ar(self, weight: Tensor) -> None:
        """Set the frozen linear AR A (S·F + 1, H·K): rows = flattened last S inputs, then bias."""
        if not self.config.residual_ar:
            raise ValueError("set_residual_ar needs a model built with residual_ar > 0")
        weight = torch.as_tensor(weight)
        if weight.shape != self.ar_weight.shape:
            raise ValueError(
                f"expected AR weights of shape {tuple(self.ar_weight.shape)}, "
                f"got {tuple(weight.shape)}"
            )
        if not torch.isfinite(weight).all():
            raise ValueError("expected finite AR weights, got NaN or inf")
        self.ar_weight.copy_(weight.to(self.ar_weight))

    def residual_base(self, x: Tensor) -> Tensor:
        """The frozen linear AR forecast A [x_{t−S..t−1}, 1]: x (B, L, F) -> (B, H, K)."""
        S = self.config.residual_ar
        if x.shape[1] < S:
            raise ValueError(f"residual_ar needs at least {S} input steps, got {x.shape[1]}")
        recent = x[:, -S:].flatten(1)  # (B, S·F)
        design = torch.cat([recent, recent.new_ones(len(recent), 1)], dim=1)  # (B, S·F + 1)
        return (design @ self.ar_weight).view(len(x), self.shape.horizon, -1)  # (B, H, K)

    def _check(self, x: Tensor, known: Tensor) -> None:
        s = self.shape
        if x.dim() != 3 or x.shape[-1] != s.input_size:
            raise ValueError(f"expected x of shape (B, L, {s.input_size}), got {tuple(x.shape)}")
        if known.shape[1:] != (s.horizon, s.known_size) or known.shape[0] != x.shape[0]:
            raise ValueError(
                f"expected known of shape ({x.shape[0]}, {s.horizon}, "
                f"{s.known_size}), got {tuple(known.shape)}"
            )

    def forward(self, x: Tensor, known: Tensor) -> Tensor:
        """x (B, L, F), known (B, H, C) -> raw outputs (B, H, K, P)."""
        self._check(x, known)
        raw = x
        x, level = self._relative(x)
        out = self._network(x, known)
        if self.config.highway:  # in window units, like the network's output
            if x.shape[1] < self.config.highway:
                raise ValueError(
                    f"highway needs at least {self.config.highway} input steps, got {x.shape[1]}"
                )
            recent = x[:, -self.config.highway :].flatten(1)  # (B, S·F)
            linear = self.highway(recent).view(out.shape[:3])  # (B, H, K)
            out = out + linear.unsqueeze(-1) * self.location  # (B, H, K, P)
        if self.config.residual_ar:  # the AR gives the level: network output = its correction
            if level is not None and level.scale is not None:
                out = out * level.scale[..., None]
            out = out + self.residual_base(raw).unsqueeze(-1) * self.location
        elif level is not None:  # back to data units: ŷ = out · s + level (forecast_norm)
            out = level.to_data(out, self.location)
        return out

    def _relative(self, x: Tensor):
        """The window in its own units (``normalize``) and the WindowLevel that undoes it."""
        s = self.shape
        return normalise_window(x, self.config.normalize, self.dynamic, s.num_targets,
                                s.horizon, s.season)

    def _network(self, x: Tensor, known: Tensor) -> Tensor:
        c, s = self.config, self.shape
        B = x.shape[0]
        if c.strategy == "direct":
            out, _ = batch_first(self.encoder, x)  # (B, L, Hd)
            raw = self.proj(self.drop(out[:, -1]))  # (B, H·K·P)
            return raw.view(B, s.horizon, s.num_targets, -1)
        if c.strategy == "seq2seq":
            _, state = batch_first(self.encoder, x)  # state: (layers, B, Hd) or (h, c)
            last = x[:, -1:, : s.num_targets].expand(B, s.horizon, s.num_targets)  # y_t
            d = torch.cat([known, last], dim=-1)  # (B, H, C + K)
            out, _ = batch_first(self.decoder, d, state)  # (B, H, Hd)
            return self.proj(self.drop(out)).view(B, s.horizon, s.num_targets, -1)
        return self._recursive(x, known).unsqueeze(-1)

    def _recursive(self, x: Tensor, known: Tensor) -> Tensor:
        """Feed each one-step forecast back as the next input: (B, H, K)."""
        s = self.shape
        out, state = batch_first(self.encoder, x)
        nxt = self.proj(self.drop(out[:, -1]))  # (B, F − C): values at the first forecast step
        steps = [nxt[:, : s.num_targets]]
        for h in range(1, s.horizon):
            row = torch.cat([nxt, known[:, h - 1]], dim=-1).unsqueeze(1)  # (B, 1, F)
            out, state = batch_first(self.encoder, row, state)
            nxt = self.proj(self.drop(out[:, -1]))
            steps.append(nxt[:, : s.num_targets])
        return torch.stack(steps, dim=1)  # (B, H, K)

    def loss(self, x: Tensor, known: Tensor, y: Tensor) -> Tensor:
        """Training loss for windows x (B, L, F), known (B, H, C) and targets y (B, H, K)."""
        if self.config.strategy != "recursive":
            return self.head.loss(self(x, known), y)
        self._check(x, known)
        K = self.shape.num_targets
        x, level = self._relative(x)
        if level is not None:  # train in window units: one affine map per window
            y = level.to_window(y)
        out, _ = batch_first(self.encoder, x)  # (B, L, Hd)
        pred = self.proj(self.drop(out))  # (B, L, F − C): one step ahead at every position
        inside = F.mse_loss(pred[:, :-1], x[:, 1:, : self.dynamic], reduction="sum")
        first = F.mse_loss(pred[:, -1, :K], y[:, 0], reduction="sum")
        return (inside + first) / (pred[:, :-1].numel() + y[:, 0].numel())

    @torch.no_grad()
    def predict(self, x: Tensor, known: Tensor, level: float | None = None):
        """Point forecasts (B, H, K), and with ``level`` the interval bounds (lo, hi)."""
        out = self(x, known)
        point = self.head.point(out)
        if level is None:
            return point
        if not hasattr(self.head, "interval"):
            raise ValueError("intervals need output 'gaussian' or 'quantile', got 'point'")
        lo, hi = self.head.interval(out, level)
        return point, lo, hi
