"""A recurrent language model in NumPy: embedding, recurrent stack, softmax output, loss, BPTT.

The equations (l_t is the one-hot vector of token t, T steps, B streams):

    x_t = W_e l_t                      embedding (W_e stored as PyTorch's (V, E) table,
                                        so W_e l_t is the row lookup W_e[l_t])
    h_t = RNN(x_t, h_{t-1})            ``Recurrent``: Elman, LSTM or GRU, L layers
    z_t = W_y h_t + b_y                (B, V)
    ŷ_t = softmax(z_t)
    J   = 1/T Σ_t −log ŷ_t[x_{t+1}]    (also averaged over the B streams)

Backward:

    δ^y_t       = ∂J/∂z_t = (ŷ_t − onehot(x_{t+1})) / (T·B)
    ∂J/∂W_y     = Σ_t δ^y_tᵀ h_t        ∂J/∂b_y = Σ_t Σ_batch δ^y_t
    dout_t      = δ^y_t W_y             ∂J/∂h_t from the output, handed to ``Recurrent.backward``
    ∂J/∂W_e[v]  = Σ_{t: l_t = v} dx_t   the embedding rows that were looked up

Sanity number: with an untrained model ŷ_t is nearly uniform, so J ≈ log V.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnnlab.reference.activations import softmax
from rnnlab.reference.cell import Grads
from rnnlab.reference.recurrent import Recurrent


class LanguageModel:
    """Embedding (V, E) -> Recurrent (L layers, H) -> linear (V, H) + softmax.

    Parameter names follow a PyTorch module with attributes ``embedding``
    (``nn.Embedding``), ``rnn`` (``nn.RNN/LSTM/GRU``) and ``decoder`` (``nn.Linear``).
    """

    def __init__(
        self,
        vocab_size: int,
        embedding_dim: int,
        hidden_size: int,
        num_layers: int = 1,
        cell: str = "lstm",
        rng: np.random.Generator | None = None,
        dtype: type = np.float64,
    ) -> None:
        if vocab_size < 2:
            raise ValueError(f"expected vocab_size >= 2, got {vocab_size}")
        rng = np.random.default_rng(0) if rng is None else rng
        self.vocab_size = vocab_size
        self.rnn = Recurrent(cell, embedding_dim, hidden_size, num_layers, True, rng, dtype)
        k = 1.0 / np.sqrt(hidden_size)
        self.W_e = rng.standard_normal((vocab_size, embedding_dim)).astype(dtype)  # nn.Embedding
        self.W_y = rng.uniform(-k, k, (vocab_size, hidden_size)).astype(dtype)  # like nn.Linear
        self.b_y = rng.uniform(-k, k, (vocab_size,)).astype(dtype)

    @property
    def params(self) -> dict[str, np.ndarray]:
        out = {"embedding.weight": self.W_e}
        out.update({f"rnn.{name}": p for name, p in self.rnn.params.items()})
        out.update({"decoder.weight": self.W_y, "decoder.bias": self.b_y})
        return out

    def load_params(self, params: dict[str, Any]) -> None:
        """Load arrays named as ``params`` (e.g. a torch state_dict converted with ``.numpy()``)."""
        if set(params) != set(self.params):
            raise ValueError(f"expected parameters {sorted(self.params)}, got {sorted(params)}")
        self.rnn.load_params({k[4:]: v for k, v in params.items() if k.startswith("rnn.")})
        for name, target in (("embedding.weight", self.W_e), ("decoder.weight", self.W_y),
                             ("decoder.bias", self.b_y)):
            value = np.asarray(params[name], dtype=target.dtype)
            if value.shape != target.shape:
                raise ValueError(f"expected {name} of shape {target.shape}, got {value.shape}")
            target[...] = value

    def init_state(self, batch_size: int):
        return self.rnn.init_state(batch_size)

    def _check_tokens(self, tokens: np.ndarray, what: str) -> np.ndarray:
        tokens = np.asarray(tokens)
        if tokens.ndim != 2 or not np.issubdtype(tokens.dtype, np.integer):
            raise ValueError(f"expected {what} as integers of shape (T, B), got "
                             f"{tokens.dtype} of shape {tokens.shape}")
        if tokens.size and (tokens.min() < 0 or tokens.max() >= self.vocab_size):
            raise ValueError(f"expected {what} in [0, {self.vocab_size}), got values in "
                             f"[{tokens.min()}, {tokens.max()}]")
        return tokens

    def forward(self, inputs: np.ndarray, targets: np.ndarray, state=None):
        """J for ``inputs`` (T, B) predicting ``targets`` (T, B) -> (J, final state, cache)."""
        inputs = self._check_tokens(inputs, "inputs")
        targets = self._check_tokens(targets, "targets")
        if inputs.shape != targets.shape:
            raise ValueError(f"expected targets of shape {inputs.shape}, got {targets.shape}")
        T, B = inputs.shape
        x = self.W_e[inputs]  # x_t = W_e l_t, (T, B, E)
        h, state, rnn_cache = self.rnn.forward(x, state)  # (T, B, H)
        z = h @ self.W_y.T + self.b_y  # z_t = W_y h_t + b_y, (T, B, V)
        y_hat = softmax(z)  # ŷ_t
        # log ŷ_t[x_{t+1}] as z − logsumexp(z), which stays finite where ŷ underflows to 0
        z_max = z.max(axis=-1, keepdims=True)
        log_y_hat = z - z_max - np.log(np.exp(z - z_max).sum(axis=-1, keepdims=True))
        log_p = np.take_along_axis(log_y_hat, targets[..., None], axis=-1)[..., 0]
        J = float(-log_p.sum() / (T * B))  # J = 1/T Σ_t −log ŷ_t[x_{t+1}]
        cache = (inputs, targets, h, y_hat, rnn_cache)
        return J, state, cache

    def backward(self, cache, dstate=None) -> tuple[Grads, Any]:
        """(∂J/∂W for every parameter, ∂J/∂s_0). ``dstate`` = ∂J/∂s_T from a later chunk, if any."""
        inputs, targets, h, y_hat, rnn_cache = cache
        T, B = inputs.shape
        delta_y = y_hat.copy()
        np.put_along_axis(delta_y, targets[..., None],
                          np.take_along_axis(delta_y, targets[..., None], axis=-1) - 1.0, axis=-1)
        delta_y /= T * B  # δ^y_t = (ŷ_t − onehot(x_{t+1})) / (T·B), (T, B, V)
        dW_y = np.einsum("tbv,tbh->vh", delta_y, h)  # Σ_t δ^y_tᵀ h_t
        db_y = delta_y.sum(axis=(0, 1))
        dout = delta_y @ self.W_y  # ∂J/∂h_t from the output, (T, B, H)
        dx, dstate0, rnn_grads = self.rnn.backward(dout, rnn_cache, dstate)
        dW_e = np.zeros_like(self.W_e)
        np.add.at(dW_e, inputs, dx)  # ∂J/∂W_e[v] = Σ_{t: l_t = v} dx_t
        grads = {"embedding.weight": dW_e}
        grads.update({f"rnn.{name}": g for name, g in rnn_grads.items()})
        grads.update({"decoder.weight": dW_y, "decoder.bias": db_y})
        return grads, dstate0

    def next_token_probabilities(self, token: np.ndarray, state=None):
        """ŷ for one step: token (B,) -> (probabilities (B, V), state). Used for sampling."""
        x = self.W_e[np.asarray(token)][None]  # (1, B, E)
        h, state, _ = self.rnn.forward(x, state)
        return softmax(h[0] @ self.W_y.T + self.b_y), state


def sample(
    model: LanguageModel,
    prefix: list[int],
    length: int,
    temperature: float = 1.0,
    rng: np.random.Generator | None = None,
) -> list[int]:
    """Feed ``prefix``, then draw ``length`` tokens from ŷ^{1/τ} (renormalised), one at a time."""
    if not prefix:
        raise ValueError("expected a non-empty prefix of token ids, got []")
    if temperature <= 0:
        raise ValueError(f"expected temperature > 0, got {temperature}")
    rng = np.random.default_rng() if rng is None else rng
    state = None
    for token in prefix:
        probs, state = model.next_token_probabilities(np.array([token]), state)
    out: list[int] = []
    for _ in range(length):
        p = probs[0] ** (1.0 / temperature)
        token = int(rng.choice(len(p), p=p / p.sum()))
        out.append(token)
        probs, state = model.next_token_probabilities(np.array([token]), state)
    return out
