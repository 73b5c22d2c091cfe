"""Stateful predictors: feed one step or a chunk at a time, the state kept between calls.

Symbols: B independent streams, T steps in a chunk, V vocabulary, L lookback.

:class:`Stream` is the part every model shares: B independent streams, a state
that survives between calls, ``reset()`` (all streams) and ``reset([i, …])``
(some of them, e.g. when one user's session ends), all under ``torch.no_grad()``
in eval mode. A model adds what one step means for it:

* :class:`LMStream` (``LanguageModel.stream()``): token(s) in, the next-token
  distribution out. One step runs PyTorch's cell-step kernels on weights bound
  once (:func:`rnnlab.layers.step.cell_steps`, column-major for single rows),
  so the per-token Python work is an embedding lookup, one call per layer and
  the output layer; a chunk of T tokens runs the whole-sequence kernel and
  carries the same state. The stream snapshots the weights when it is made:
  make a new one after training further.
* :class:`ClassifierStream` (``SequenceClassifier.stream()``): token(s) in,
  the class distribution of the text so far out (the running label). The
  pooling is kept as running sums — last h, Σh and the count (mean), the
  running max, and for attention an online softmax (the running maximum score
  m, Σ exp(e_t − m) and Σ exp(e_t − m) h_t) — so the label after token t equals
  the model's on the first t tokens. A bidirectional or non-causal encoder
  cannot run on a stream: refused.
* :class:`WindowStream`: for models that read a fixed window of the last L steps
  (the forecasters): each new row shifts the window; the prediction is the
  model's on exactly the window it was trained on (a recurrent state carried
  forever would feed it a state it never saw in training).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnnlab.cells.state import map_state
from rnnlab.layers.step import cell_steps, for_single_rows


def _rows(streams: int | Sequence[int] | Tensor, batch_size: int) -> Tensor:
    rows = torch.as_tensor([streams] if isinstance(streams, int) else streams, dtype=torch.long)
    if rows.dim() != 1 or (len(rows) and (int(rows.min()) < 0 or int(rows.max()) >= batch_size)):
        raise ValueError(f"expected stream indices in [0, {batch_size}), got {rows.tolist()}")
    return rows


class Stream:
    """B independent streams of one model; ``state`` is None until the first step (zeros)."""

    batch_dim = 1  # where the streams sit in the state's tensors ((L·D, B, H) for layers)

    def __init__(self, model: nn.Module, batch_size: int = 1) -> None:
        if batch_size < 1:
            raise ValueError(f"expected batch_size >= 1, got {batch_size}")
        self.model = model.eval()
        self.batch_size = batch_size
        self.state: Any = None

    def reset(self, streams: int | Sequence[int] | Tensor | None = None) -> None:
        """Start over: every stream (None), or only ``streams`` (their state back to zero)."""
        if streams is None or self.state is None:
            self.state = None
            return
        rows = _rows(streams, self.batch_size)
        self.state = map_state(lambda s: s.index_fill(self.batch_dim, rows.to(s.device), 0.0),
                               self.state)


class LMStream(Stream):
    """Token in, next-token distribution out, for B streams of a :class:`LanguageModel`.

    ``stream(tokens)``: tokens (B,) — one step — or (T, B) — a chunk — (ints,
    lists, tensors); returns p(w_{t+1} | w_≤t) (B, V) after the last token
    (``logits=True``: the logits). ``state`` is the model's state format (a
    list per layer), so a chunk and single steps continue each other exactly.
    """

    def __init__(self, model: nn.Module, batch_size: int = 1) -> None:
        super().__init__(model, batch_size)
        self.embedding = model.embedding.weight
        # the cell-step kernels serve recurrent layers; another encoder (transformer, CNN,
        # MLP) steps through its own forward, which carries its memory / tails as state
        self.cell_path = all(hasattr(layer, "state_names") for layer in model.layers)
        if not self.cell_path:
            return
        with torch.no_grad():
            self.steps = [cell_steps(layer, frozen=True)[0] for layer in model.layers]
            out = for_single_rows({"weight": model.decoder.weight, "bias": model.decoder.bias})
        self.paired = [len(layer.state_names) == 2 for layer in model.layers]
        self.decoder_weight, self.decoder_bias = out["weight"], out["bias"]

    def reset(self, streams: int | Sequence[int] | Tensor | None = None) -> None:
        if streams is not None and self.model.config.encoder == "transformer":
            raise ValueError("a transformer's memory holds the last M steps of every stream at "
                             "the same positions, so one stream cannot start over alone: "
                             "reset() all streams, or give each text its own stream")
        super().reset(streams)

    @torch.no_grad()
    def __call__(self, tokens: Any, logits: bool = False) -> Tensor:
        tokens = torch.as_tensor(tokens, dtype=torch.long, device=self.embedding.device)
        if tokens.dim() == 0:
            tokens = tokens.expand(self.batch_size)
        if tokens.dim() not in (1, 2) or tokens.shape[-1] != self.batch_size:
            raise ValueError(f"expected tokens of shape ({self.batch_size},) or "
                             f"(T, {self.batch_size}), got {tuple(tokens.shape)}")
        if tokens.dim() == 1 and not self.cell_path:
            tokens = tokens[None]
        z = self._chunk(tokens) if tokens.dim() == 2 else self._step(tokens)  # (B, V)
        return z if logits else z.softmax(-1)

    def _chunk(self, tokens: Tensor) -> Tensor:
        out, self.state = self.model(tokens, self.state)  # the whole-sequence kernels
        return out[-1]

    def _step(self, tokens: Tensor) -> Tensor:
        if self.state is None:
            self.state = self.model.init_state(self.batch_size)
        x = F.embedding(tokens, self.embedding)  # (B, E)
        state = []
        for step, paired, s in zip(self.steps, self.paired, self.state, strict=True):
            x, new = step(x, (s[0][0], s[1][0]) if paired else s[0])  # (B, H)
            state.append((new[0][None], new[1][None]) if paired else new[None])
        self.state = state
        return F.linear(x, self.decoder_weight, self.decoder_bias)  # (B, V)


class ClassifierStream(Stream):
    """Token(s) in, p(class | the text so far) (B, C) out, for B streams of a classifier.

    ``stream(tokens)``: tokens (B,) — one step — or (T, B) — a chunk. The state
    is (encoder state, count (B,), pooling accumulators), all with the streams
    on dimension 0 except the encoder's (dimension 1), so ``reset([i])`` starts
    stream i over.
    """

    def __init__(self, model: nn.Module, batch_size: int = 1) -> None:
        encoder = model.encoder
        if not getattr(encoder, "causal", False) or model.config.encoder != "rnn":
            raise ValueError(f"a stream reads each token once: it needs a unidirectional rnn "
                             f"encoder, got encoder={model.config.encoder!r}, bidirectional="
                             f"{model.config.bidirectional}")
        super().__init__(model, batch_size)
        self.pooling = model.pooling.kind

    def reset(self, streams: int | Sequence[int] | Tensor | None = None) -> None:
        if streams is None or self.state is None:
            self.state = None
            return
        rows = _rows(streams, self.batch_size)
        encoder_state, pooled = self.state
        encoder_state = map_state(lambda s: s.index_fill(1, rows.to(s.device), 0.0),
                                  encoder_state)
        self.state = (encoder_state, {k: v.index_fill(0, rows.to(v.device), _START[k])
                                      for k, v in pooled.items()})

    @torch.no_grad()
    def __call__(self, tokens: Any, logits: bool = False) -> Tensor:
        model = self.model
        tokens = torch.as_tensor(tokens, dtype=torch.long, device=model.embedding.weight.device)
        if tokens.dim() == 0:
            tokens = tokens.expand(self.batch_size)
        if tokens.dim() == 1:
            tokens = tokens[None]
        if tokens.dim() != 2 or tokens.shape[-1] != self.batch_size:
            raise ValueError(f"expected tokens of shape ({self.batch_size},) or "
                             f"(T, {self.batch_size}), got {tuple(tokens.shape)}")
        encoder_state, pooled = self.state if self.state is not None else (None, None)
        outputs, encoder_state = model.encoder(model.embedding(tokens), state=encoder_state)
        if pooled is None:
            pooled = {k: outputs.new_full((self.batch_size, *([] if k in ("count", "m")
                                           else [outputs.size(-1)])), _START[k])
                      for k in _ACCUMULATORS[self.pooling]}
        pooled = self._accumulate(pooled, outputs)  # (T, B, D) into the running sums
        self.state = (encoder_state, pooled)
        z = model.head(self._vector(pooled))  # (B, C)
        return z if logits else z.softmax(-1)

    def _accumulate(self, acc: dict[str, Tensor], outputs: Tensor) -> dict[str, Tensor]:
        acc = dict(acc, count=acc["count"] + outputs.size(0))
        if self.pooling == "last":
            acc["last"] = outputs[-1]
        elif self.pooling == "mean":
            acc["sum"] = acc["sum"] + outputs.sum(0)
        elif self.pooling == "max":
            acc["max"] = torch.maximum(acc["max"], outputs.amax(0))
        else:  # online softmax over e_t = v·tanh(W h_t + b)
            scores = self.model.pooling.score(outputs).squeeze(-1)  # (T, B)
            m = torch.maximum(acc["m"], scores.amax(0))  # (B,)
            old, new = torch.exp(acc["m"] - m), torch.exp(scores - m)  # (B,), (T, B)
            acc["z"] = acc["z"] * old[:, None] + new.sum(0)[:, None]
            acc["weighted"] = acc["weighted"] * old[:, None] + (new[..., None] * outputs).sum(0)
            acc["m"] = m
        return acc

    def _vector(self, acc: dict[str, Tensor]) -> Tensor:
        if self.pooling == "last":
            return acc["last"]
        if self.pooling == "mean":
            return acc["sum"] / acc["count"][:, None]
        if self.pooling == "max":
            return acc["max"]
        return acc["weighted"] / acc["z"]


_ACCUMULATORS = {"last": ("count", "last"), "mean": ("count", "sum"), "max": ("count", "max"),
                 "attention": ("count", "m", "z", "weighted")}
_START = {"count": 0.0, "last": 0.0, "sum": 0.0, "max": float("-inf"), "m": float("-inf"),
          "z": 0.0, "weighted": 0.0}


class WindowStream(Stream):
    """The last L rows (B, L, F) of B streams; ``push(rows (B, F))`` returns the window.

    ``count`` (B,) says how many rows each stream has seen (a window is complete
    once it reaches L); the caller runs the model on complete windows.
    """

    batch_dim = 0

    def __init__(self, model: nn.Module, lookback: int, num_features: int,
                 batch_size: int = 1) -> None:
        super().__init__(model, batch_size)
        self.lookback, self.num_features = lookback, num_features

    @torch.no_grad()
    def push(self, rows: Tensor) -> tuple[Tensor, Tensor]:
        """Append one row per stream; returns (window (B, L, F), complete (B,) bool)."""
        rows = torch.as_tensor(rows, dtype=torch.float32)
        if tuple(rows.shape) != (self.batch_size, self.num_features):
            raise ValueError(f"expected rows of shape ({self.batch_size}, {self.num_features}), "
                             f"got {tuple(rows.shape)}")
        if self.state is None:
            self.state = (rows.new_zeros(self.batch_size, self.lookback, self.num_features),
                          torch.zeros(self.batch_size, dtype=torch.long))
        window, count = self.state
        window = torch.cat([window[:, 1:], rows[:, None]], dim=1)  # drop the oldest row
        count = count + 1
        self.state = (window, count)
        return window, count >= self.lookback
