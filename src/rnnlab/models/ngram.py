"""An n-gram language model with interpolated modified Kneser–Ney smoothing.

Chen & Goodman (1998), "An empirical study of smoothing techniques for language
modeling", §3: the estimate the RNN language models are measured against
(Mikolov et al. 2011: KN5 on the Penn Treebank, perplexity 141.2). Symbols: V
vocabulary, n the order, h a context of k − 1 tokens, h' its last k − 2, c_k(·)
the counts at order k (raw counts at the highest order n; below it the
*continuation counts* N1+(• h w), the number of distinct tokens seen before h w:
a lower order is only consulted when the longer context is rare, so it should
model how many contexts a word completes, not how often it occurs)::

    p_k(w | h) = [max(c_k(h w) − D_k(c_k(h w)), 0) + γ_k(h) · p_{k−1}(w | h')] / c_k(h •)
    γ_k(h) = D_k1 N1(h •) + D_k2 N2(h •) + D_k3+ N3+(h •)     (the mass taken off, spread down)
    p_k(w | h) = p_{k−1}(w | h')                                when c_k(h •) = 0 (h unseen)
    p_0(w) = 1 / V                                              (so every token has mass)

with D_k(c) = D_k1, D_k2, D_k3+ for c = 1, 2, ≥ 3, estimated from the counts of
counts n_j of order k (Y = n_1 / (n_1 + 2 n_2); D_kj = j − (j + 1) Y n_{j+1} / n_j),
and N_j(h •) the number of tokens w with c_k(h w) = j. For every context the
probabilities over the V tokens sum to 1 (the discounted mass is exactly what
γ hands to the lower order); the tests check it on every context of a corpus.

The model is counts, not weights: it is fitted in one pass (NumPy; every k-gram
an integer id built from its (k − 1)-gram prefix's id and its last token) and
saved as safetensors arrays plus JSON, never pickled. Tokens outside the
vocabulary are ``<unk>`` before they get here (the tokenizer's job), so ``<unk>``
is a token like any other, with its own counts.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL_FILE = "ngram.safetensors"
META_FILE = "ngram.json"


@dataclass(frozen=True)
class NGramConfig:
    """``[model]`` of an n-gram run."""

    order: int = 5  # n: p(w_t | the previous n − 1 tokens); KN5 is the classic baseline
    discounts: tuple[float, ...] | None = None  # D1, D2, D3+ for every order (None: Chen &
    # Goodman's estimates from each order's counts of counts, the usual choice)

    def __post_init__(self) -> None:
        if not 1 <= self.order <= 9:
            raise ValueError(f"[model] order: expected 1 … 9 (KN5 is usual), got {self.order}")
        if self.discounts is not None and (
            len(self.discounts) != 3
            or not all(0.0 <= d <= j for j, d in enumerate(self.discounts, start=1))
        ):
            raise ValueError(f"[model] discounts: expected three numbers D1 in [0, 1], D2 in "
                             f"[0, 2], D3+ in [0, 3], got {self.discounts}")


FALLBACK_DISCOUNTS = (0.5, 1.0, 1.5)  # KenLM's --discount_fallback


def estimate_discounts(counts: np.ndarray) -> np.ndarray:
    """(D1, D2, D3+) from the counts of counts n_1 … n_4 of ``counts`` (Chen & Goodman, eq. 26).

    Where an estimate is undefined (a zero count of counts) or outside (0, j) — tiny or odd
    corpora — the order gets ``FALLBACK_DISCOUNTS`` instead, as KenLM's
    ``--discount_fallback`` does: a zero discount would leave a seen context no mass to
    give the tokens it has not been seen with."""
    n = [float(np.count_nonzero(counts == j)) for j in range(1, 5)]
    if min(n[:3]) == 0:
        return np.array(FALLBACK_DISCOUNTS)
    y = n[0] / (n[0] + 2 * n[1])
    out = np.array([j - (j + 1) * y * n[j] / n[j - 1] for j in (1, 2, 3)])
    if not all(0.0 < d < j for j, d in enumerate(out, start=1)):
        return np.array(FALLBACK_DISCOUNTS)
    return out


@dataclass
class OrderTable:
    """The k-grams of one order: sorted keys (prefix id · V + token), counts, context sums."""

    keys: np.ndarray  # (G,) int64, sorted: id of the (k − 1)-gram prefix · V + last token
    counts: np.ndarray  # (G,) float64: raw counts (order n) or continuation counts (below)
    total: np.ndarray  # (C,) c_k(h •) per context h (C = number of (k − 1)-grams; 1 at k = 1)
    gamma: np.ndarray  # (C,) D1 N1(h •) + D2 N2(h •) + D3+ N3+(h •)
    discounts: np.ndarray  # (3,) D1, D2, D3+

    def lookup(self, prefix: np.ndarray, token: np.ndarray, vocab: int) -> np.ndarray:
        """Ids of the k-grams (prefix id, token), -1 where unseen (or the prefix is -1)."""
        key = np.where(prefix >= 0, prefix, 0) * vocab + token
        index = np.minimum(np.searchsorted(self.keys, key), len(self.keys) - 1)
        found = (prefix >= 0) & (self.keys[index] == key)
        return np.where(found, index, -1)


class KneserNeyLM:
    """Interpolated modified Kneser–Ney n-gram model over a V-token vocabulary (see module)."""

    def __init__(self, tables: list[OrderTable], vocab_size: int) -> None:
        self.tables = tables  # tables[k − 1]: order k
        self.vocab_size = vocab_size

    @property
    def order(self) -> int:
        return len(self.tables)

    @classmethod
    def fit(cls, ids, vocab_size: int, config: NGramConfig = NGramConfig()) -> KneserNeyLM:
        """Count every k-gram (k ≤ n) of the token stream ``ids`` and build the tables."""
        ids = np.asarray(ids, dtype=np.int64)
        if ids.ndim != 1 or len(ids) < 2:
            raise ValueError(f"expected a stream of at least 2 token ids, got shape {ids.shape}")
        if ids.min() < 0 or ids.max() >= vocab_size:
            raise ValueError(f"expected token ids in [0, {vocab_size}), got "
                             f"{ids.min()} … {ids.max()}")
        n, V = config.order, vocab_size
        grams, keys, firsts = [], [], []  # per order: gram id at each position, keys, positions
        prefix = np.zeros(len(ids), dtype=np.int64)  # the empty 0-gram ends everywhere
        for _k in range(1, n + 1):
            before = np.concatenate([[-1], prefix[:-1]]) if _k > 1 else prefix
            valid = before >= 0  # the k-gram ending at i needs the (k − 1)-gram ending at i − 1
            uniq, first, inverse = np.unique(before[valid] * V + ids[valid], return_index=True,
                                             return_inverse=True)
            gram = np.full(len(ids), -1, dtype=np.int64)
            gram[valid] = inverse
            grams.append(gram)
            keys.append(uniq)
            firsts.append(np.flatnonzero(valid)[first])
            prefix = gram
        tables = []
        for k in range(1, n + 1):
            if k == n:  # raw counts at the highest order
                counts = np.bincount(grams[k - 1][grams[k - 1] >= 0], minlength=len(keys[k - 1]))
            else:  # N1+(• g): distinct (k + 1)-grams whose last k tokens are g
                suffix = grams[k - 1][firsts[k]]
                counts = np.bincount(suffix, minlength=len(keys[k - 1]))
            counts = counts.astype(np.float64)
            D = (np.asarray(config.discounts, dtype=np.float64) if config.discounts is not None
                 else estimate_discounts(counts))
            contexts = 1 if k == 1 else len(keys[k - 2])
            ctx = keys[k - 1] // V
            total = np.bincount(ctx, weights=counts, minlength=contexts)
            gamma = sum(D[j] * np.bincount(ctx, weights=_is(counts, j + 1), minlength=contexts)
                        for j in range(3))
            tables.append(OrderTable(keys[k - 1], counts, total, gamma, D))
        return cls(tables, V)

    def log_probs(self, ids) -> np.ndarray:
        """log p(w_t | w_{t−n+1} … w_{t−1}) for every position t of ``ids`` (R, T) or (T,),
        reading no token before the start of its row (t = 0 gets the unigram estimate)."""
        ids = np.asarray(ids, dtype=np.int64)
        rows = ids.reshape(-1, ids.shape[-1]) if ids.ndim else ids.reshape(1, 1)
        V = self.vocab_size
        p = np.full(rows.shape, 1.0 / V)  # p_0
        prefix = np.zeros(rows.shape, dtype=np.int64)  # the (k − 1)-gram ending at t − 1 … as t
        for k, table in enumerate(self.tables, start=1):
            before = prefix if k == 1 else np.pad(prefix[:, :-1], ((0, 0), (1, 0)),
                                                  constant_values=-1)  # context h of w_t
            gram = table.lookup(before, rows, V)
            h = np.where(before >= 0, before, 0)
            total = np.where(before >= 0, table.total[h], 0.0)
            c = np.where(gram >= 0, table.counts[np.maximum(gram, 0)], 0.0)
            D = table.discounts[np.clip(c.astype(np.int64), 1, 3) - 1] * (c > 0)
            seen = total > 0
            safe = np.where(seen, total, 1.0)
            p = np.where(seen, (np.maximum(c - D, 0.0) + table.gamma[h] * p) / safe, p)
            prefix = gram
        return np.log(p).reshape(ids.shape)

    def next_log_probs(self, contexts: list[list[int]], tokens) -> np.ndarray:
        """log p(tokens[i] | contexts[i]) for each i (only the last n − 1 context tokens count)."""
        width = self.order - 1
        rows = np.full((len(contexts), width + 1), -1, dtype=np.int64)
        lengths = np.zeros(len(contexts), dtype=np.int64)
        for i, context in enumerate(contexts):
            tail = list(context)[-width:] if width else []
            rows[i, width - len(tail) : width] = tail
            lengths[i] = len(tail)
        rows[:, width] = np.asarray(tokens, dtype=np.int64)
        out = np.empty(len(contexts))
        for length in np.unique(lengths):  # rows whose context is shorter start later
            pick = lengths == length
            out[pick] = self.log_probs(rows[pick, width - length :])[:, -1]
        return out

    def distribution(self, context: list[int]) -> np.ndarray:
        """p(· | context) over the whole vocabulary: (V,), sums to 1."""
        V = self.vocab_size
        return np.exp(self.next_log_probs([list(context)] * V, np.arange(V)))

    def num_parameters(self) -> int:
        """Stored numbers (k-gram keys and counts, context sums): the model's size."""
        return int(sum(2 * len(t.keys) + 2 * len(t.total) for t in self.tables))

    def save(self, run_dir: str | Path, extra: dict | None = None) -> None:
        """``ngram.safetensors`` (the tables) and ``ngram.json`` (sizes, discounts, ``extra``)."""
        from safetensors.numpy import save_file

        run_dir = Path(run_dir)
        arrays = {}
        for k, t in enumerate(self.tables, start=1):
            arrays.update({f"order{k}.keys": t.keys, f"order{k}.counts": t.counts,
                           f"order{k}.total": t.total, f"order{k}.gamma": t.gamma})
        save_file(arrays, str(run_dir / MODEL_FILE))
        meta = {"order": self.order, "vocab_size": self.vocab_size,
                "discounts": [t.discounts.tolist() for t in self.tables],
                "ngrams": [len(t.keys) for t in self.tables], **(extra or {})}
        (run_dir / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, run_dir: str | Path) -> KneserNeyLM:
        from safetensors.numpy import load_file

        run_dir = Path(run_dir)
        for name in (MODEL_FILE, META_FILE):
            if not (run_dir / name).is_file():
                raise FileNotFoundError(f"{run_dir} holds no n-gram model: {name} is missing")
        meta = json.loads((run_dir / META_FILE).read_text(encoding="utf-8"))
        arrays = load_file(str(run_dir / MODEL_FILE))
        tables = [OrderTable(arrays[f"order{k}.keys"], arrays[f"order{k}.counts"],
                             arrays[f"order{k}.total"], arrays[f"order{k}.gamma"],
                             np.asarray(meta["discounts"][k - 1]))
                  for k in range(1, meta["order"] + 1)]
        return cls(tables, int(meta["vocab_size"]))


def _is(counts: np.ndarray, j: int) -> np.ndarray:
    """1.0 where the count is j (j = 3: at least 3), else 0.0."""
    return (counts >= 3).astype(np.float64) if j == 3 else (counts == j).astype(np.float64)


def perplexity_of(log_probs: np.ndarray) -> float:
    """exp(−mean log p)."""
    return math.exp(-float(np.mean(log_probs)))
