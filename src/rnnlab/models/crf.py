"""A linear-chain conditional random field over tag sequences (Lafferty et al. 2001).

Symbols: T time, B batch, K tags; e_t(j) the emission score of tag j at step t
(the tagger's output), A_ij the score of moving from tag i to tag j, s_j / f_j
the scores of starting / finishing in tag j. A tag path y_1 … y_n (n = the
sentence's length) scores

    S(y) = s_{y_1} + Σ_{t=1}^{n} e_t(y_t) + Σ_{t=2}^{n} A_{y_{t−1} y_t} + f_{y_n}

and p(y | x) = exp S(y) / Z, Z = Σ_{y'} exp S(y'). The forward algorithm
computes log Z in O(n·K²), in log space (sums of exponentials would overflow):

    α_1(j) = s_j + e_1(j)
    α_t(j) = logsumexp_i [α_{t−1}(i) + A_ij] + e_t(j)
    log Z  = logsumexp_j [α_n(j) + f_j]

Viterbi decoding is the same recursion with max in place of logsumexp, keeping
the argmax i of every (t, j) to walk the best path back from the end.

Constraints (BIO, Ramshaw & Marcus 1995): ``I-X`` may only follow ``B-X`` or
``I-X`` and cannot start a sentence. Forbidden moves get the score −10⁴ (not
−∞: a training sentence whose gold path breaks a rule still has a finite loss),
so in practice neither training nor decoding uses them.

Tested against enumerating all K^n paths on small cases (tests/models/test_crf.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

FORBIDDEN = -1.0e4  # score of a move the constraints rule out


def bio_constraints(tags: Sequence[str]) -> tuple[Tensor, Tensor]:
    """(allowed moves (K, K), allowed starts (K,)) for BIO tags ("O", "B-X", "I-X")."""
    k = len(tags)
    allowed = torch.ones(k, k, dtype=torch.bool)
    start = torch.ones(k, dtype=torch.bool)
    for j, tag in enumerate(tags):
        if not tag.startswith("I-"):
            continue
        kind = tag[2:]
        start[j] = False  # I-X cannot open a sentence
        for i, prev in enumerate(tags):
            allowed[i, j] = prev in (f"B-{kind}", f"I-{kind}")  # I-X only after B-X or I-X
    return allowed, start


def looks_like_bio(tags: Sequence[str]) -> bool:
    """True when every tag is "O", "B-X" or "I-X" and some tag is B- or I-."""
    return all(t == "O" or t[:2] in ("B-", "I-") for t in tags) and any(t != "O" for t in tags)


class CRF(nn.Module):
    """Linear-chain CRF layer over K tags: ``nll`` (training), ``log_partition``, ``decode``.

    Inputs are time-major: emissions (T, B, K), tags (T, B) int64, mask (T, B)
    bool with the real steps first (every sequence at least 1 step long).

    Attributes:
        transitions: A (K, K), A[i, j] = score of tag i followed by tag j.
        start, end: s and f (K,).
        allowed, allowed_start: the constraint masks (buffers; all True = none).
    """

    def __init__(self, num_tags: int, constraints: tuple[Tensor, Tensor] | None = None):
        super().__init__()
        if num_tags < 1:
            raise ValueError(f"expected num_tags >= 1, got {num_tags}")
        self.num_tags = num_tags
        self.transitions = nn.Parameter(torch.empty(num_tags, num_tags).uniform_(-0.1, 0.1))
        self.start = nn.Parameter(torch.zeros(num_tags))
        self.end = nn.Parameter(torch.zeros(num_tags))
        allowed, start = constraints or (torch.ones(num_tags, num_tags, dtype=torch.bool),
                                         torch.ones(num_tags, dtype=torch.bool))
        if allowed.shape != (num_tags, num_tags) or start.shape != (num_tags,):
            raise ValueError(f"expected constraint masks ({num_tags}, {num_tags}) and "
                             f"({num_tags},), got {tuple(allowed.shape)} and {tuple(start.shape)}")
        self.register_buffer("allowed", allowed.bool())
        self.register_buffer("allowed_start", start.bool())

    def scores(self) -> tuple[Tensor, Tensor, Tensor]:
        """(A, s, f) with forbidden moves at FORBIDDEN."""
        a = self.transitions.masked_fill(~self.allowed, FORBIDDEN)  # (K, K)
        s = self.start.masked_fill(~self.allowed_start, FORBIDDEN)  # (K,)
        return a, s, self.end

    def _check(self, emissions: Tensor, mask: Tensor) -> None:
        if emissions.dim() != 3 or emissions.size(-1) != self.num_tags:
            raise ValueError(f"expected emissions (T, B, {self.num_tags}), got "
                             f"{tuple(emissions.shape)}")
        if mask.shape != emissions.shape[:2] or not bool(mask[0].all()):
            raise ValueError("expected a (T, B) mask with every sequence at least one step long")

    def path_score(self, emissions: Tensor, tags: Tensor, mask: Tensor) -> Tensor:
        """S(y) of the given tag paths (B,)."""
        self._check(emissions, mask)
        a, s, f = self.scores()
        m = mask.to(emissions.dtype)  # (T, B)
        emit = emissions.gather(-1, tags[..., None]).squeeze(-1)  # e_t(y_t) (T, B)
        score = s[tags[0]] + (emit * m).sum(0)  # s_{y_1} + Σ_t e_t(y_t)
        score = score + (a[tags[:-1], tags[1:]] * m[1:]).sum(0)  # Σ_t A_{y_{t−1} y_t}
        last = tags.gather(0, (mask.long().sum(0) - 1)[None]).squeeze(0)  # y_n (B,)
        return score + f[last]

    def log_partition(self, emissions: Tensor, mask: Tensor) -> Tensor:
        """log Z (B,) by the forward algorithm."""
        self._check(emissions, mask)
        a, s, f = self.scores()
        alpha = s + emissions[0]  # α_1 (B, K)
        for t in range(1, emissions.size(0)):
            step = torch.logsumexp(alpha[:, :, None] + a, dim=1) + emissions[t]  # α_t (B, K)
            alpha = torch.where(mask[t, :, None], step, alpha)  # past the end: keep α_n
        return torch.logsumexp(alpha + f, dim=1)

    def nll(self, emissions: Tensor, tags: Tensor, mask: Tensor) -> Tensor:
        """−log p(y | x) = log Z − S(y), per sequence (B,)."""
        return self.log_partition(emissions, mask) - self.path_score(emissions, tags, mask)

    @torch.no_grad()
    def decode(self, emissions: Tensor, mask: Tensor) -> list[list[int]]:
        """The best path of each sequence (Viterbi), as lists of its own length."""
        self._check(emissions, mask)
        a, s, f = self.scores()
        delta = s + emissions[0]  # δ_1 (B, K)
        back = []
        for t in range(1, emissions.size(0)):
            best, arg = (delta[:, :, None] + a).max(dim=1)  # max_i δ_{t−1}(i) + A_ij (B, K)
            back.append(arg)
            delta = torch.where(mask[t, :, None], best + emissions[t], delta)
        lengths = mask.long().sum(0).tolist()
        last = (delta + f).argmax(dim=1).tolist()
        paths = []
        for b, n in enumerate(lengths):
            path = [last[b]]
            for t in range(n - 1, 0, -1):  # back[t − 1] holds the argmax for step t
                path.append(int(back[t - 1][b, path[-1]]))
            paths.append(path[::-1])
        return paths
