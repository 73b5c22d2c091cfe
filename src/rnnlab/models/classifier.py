"""A sequence classifier (sequence → vector → class): embeddings, encoder, pooling, MLP.

Symbols: T time, B batch, V vocabulary (words or characters), E embedding size,
D the encoder's output size, C classes. For token ids w_1 … w_n:

    x_t = W_e[w_t]                       (B, E)
    h_1 … h_n = encoder(x_1 … x_n)       (T, B, D)  any registered encoder
    v = pool(h, n)                       (B, D)     last | mean | max | attention
    p(c | w) = softmax(MLP(v))           (B, C)

Padding (steps t ≥ n) never reaches v: the recurrent layers stop each sequence
at its own length and the pooling masks the rest (tested: a padded sequence
and the same sequence alone give the same v). With ``pooling = "attention"``
the weights α (T, B) are returned by :meth:`SequenceClassifier.encode` for pictures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from torch import Tensor, nn

from rnnlab.models.encoders import EncoderConfig, build_encoder, directions_of
from rnnlab.models.layer_groups import discriminative_groups, encoder_layer_groups
from rnnlab.models.pooling import POOLINGS, Pooling
from rnnlab.models.streaming import ClassifierStream


@dataclass(frozen=True)
class ClassifierConfig(EncoderConfig):
    """``[model]`` of a classify run: the encoder fields, then embeddings, pooling and head."""

    embedding_size: int = 128  # E (from an LM: must equal the LM's)
    pooling: str = "last"  # last, mean, max or attention
    attention_size: int = 64  # attention pooling: width of the scoring layer
    head_hidden: int = 0  # hidden units of the MLP head (0: one linear layer)
    dropout_embedding: float = 0.0  # dropout on the embedded tokens
    dropout_output: float = 0.0  # dropout on the pooled vector (and in the MLP)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.pooling not in POOLINGS:
            raise ValueError(f"[model] pooling: expected one of {list(POOLINGS)}, "
                             f"got {self.pooling!r}")
        for name in ("embedding_size", "attention_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"[model] {name}: expected >= 1, got {getattr(self, name)}")
        if self.head_hidden < 0:
            raise ValueError(f"[model] head_hidden: expected >= 0, got {self.head_hidden}")
        for name in ("dropout_embedding", "dropout_output"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ValueError(f"[model] {name}: expected in [0, 1), got {getattr(self, name)}")


class SequenceClassifier(nn.Module):
    """tokens (T, B), lengths (B,) -> logits (B, C).

    ``lr_decay`` > 1 gives lower layers smaller learning rates (``param_groups``).
    """

    def __init__(self, config: ClassifierConfig, vocab_size: int, num_classes: int,
                 lr_decay: float = 1.0) -> None:
        super().__init__()
        if vocab_size < 2 or num_classes < 2:
            raise ValueError(f"expected a vocabulary of >= 2 tokens and >= 2 classes, got "
                             f"{vocab_size} and {num_classes}")
        self.config = config
        self.num_classes = num_classes  # C
        self.lr_decay = lr_decay
        self.embedding = nn.Embedding(vocab_size, config.embedding_size)  # W_e (V, E)
        self.drop_embedding = nn.Dropout(config.dropout_embedding)
        self.encoder = build_encoder(config, config.embedding_size)
        size = self.encoder.output_size  # D
        self.pooling = Pooling(config.pooling, size, directions_of(config),
                               config.attention_size)
        self.drop_output = nn.Dropout(config.dropout_output)
        if config.head_hidden:
            self.head: nn.Module = nn.Sequential(
                nn.Linear(size, config.head_hidden), nn.ReLU(), nn.Dropout(config.dropout_output),
                nn.Linear(config.head_hidden, num_classes))
        else:
            self.head = nn.Linear(size, num_classes)

    def encode(self, tokens: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor | None]:
        """(pooled vector v (B, D), attention weights α (T, B) or None)."""
        if tokens.dim() != 2 or lengths.shape != tokens.shape[1:]:
            raise ValueError(f"expected tokens (T, B) and lengths (B,), got "
                             f"{tuple(tokens.shape)} and {tuple(lengths.shape)}")
        x = self.drop_embedding(self.embedding(tokens))  # (T, B, E)
        outputs, _ = self.encoder(x, lengths=lengths)  # (T, B, D)
        return self.pooling(outputs, lengths)

    def forward(self, tokens: Tensor, lengths: Tensor) -> Tensor:
        pooled, _ = self.encode(tokens, lengths)
        return self.head(self.drop_output(pooled))  # (B, C)

    def stream(self, batch_size: int = 1) -> ClassifierStream:
        """A stateful predictor over B streams (eval mode): ``stream(tokens)`` with tokens (B,)
        or (T, B) returns p(class | the text so far) (B, C), the running label; see
        :class:`rnnlab.models.streaming.ClassifierStream` (unidirectional rnn encoders)."""
        return ClassifierStream(self, batch_size)

    def layer_groups(self) -> list[list[nn.Parameter]]:
        """Bottom-up: embeddings, each encoder layer, pooling + head."""
        top = [*self.pooling.parameters(), *self.head.parameters()]
        return [list(self.embedding.parameters()), *encoder_layer_groups(self.encoder), top]

    def param_groups(self) -> list[dict[str, Any]]:
        """Optimizer groups with discriminative rates (all 1 when ``lr_decay`` = 1)."""
        return discriminative_groups(self.layer_groups(), self.lr_decay)

    @property
    def backend_used(self) -> str:
        return getattr(self.encoder, "backend_used", self.config.encoder)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())
