"""The Stanford Sentiment Treebank (Socher et al. 2013): PTB-bracket trees to labelled text.

Each line is one sentence as a binary tree in which every node carries a
sentiment label 0–4 (very negative … very positive)::

    (3 (2 (2 The) (2 Rock)) (4 (3 (2 is) …) (2 .)))

The root's label is the sentence's. Two protocols are in use:

* **sentence level** — one item per tree (root label): 8,544 / 1,101 / 2,210;
* **all phrases** — every labelled node of the *training* trees is an item
  (the protocol of Tai et al. 2015 and most published LSTM numbers); valid and
  test stay sentence level.

SST-2 (binary) drops the neutral label 2 and maps 0–1 to negative, 3–4 to positive.
"""

from __future__ import annotations

from pathlib import Path

from rnnlab.data.reading import read_text

SST5 = ("very negative", "negative", "neutral", "positive", "very positive")
SST2 = ("negative", "positive")


def parse_tree(line: str, where: str = "tree") -> list[tuple[int, list[str]]]:
    """Every node of one PTB-bracket tree as (label, its words), the root first."""
    tokens = line.replace("(", " ( ").replace(")", " ) ").split()
    nodes: list[tuple[int, list[str]]] = []
    stack: list[tuple[int, list[str], int]] = []  # (label, words, index in nodes)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == "(":
            if i + 1 >= len(tokens) or not tokens[i + 1].isdigit():
                raise ValueError(f"{where}: expected a label after '(', got "
                                 f"{tokens[i + 1] if i + 1 < len(tokens) else 'the end'!r}")
            label = int(tokens[i + 1])
            nodes.append((label, []))
            stack.append((label, nodes[-1][1], len(nodes) - 1))
            i += 2
        elif token == ")":
            if not stack:
                raise ValueError(f"{where}: unbalanced ')'")
            _, words, _ = stack.pop()
            if stack:
                stack[-1][1].extend(words)  # a parent spans its children's words
            i += 1
        else:
            if not stack:
                raise ValueError(f"{where}: a word outside any bracket: {token!r}")
            stack[-1][1].append(token)
            i += 1
    if stack or not nodes:
        raise ValueError(f"{where}: unbalanced or empty tree")
    return nodes


def sst_label(label: int, classes: int) -> str | None:
    """The class name of a 0–4 label (None: neutral, dropped in SST-2)."""
    if classes == 5:
        return SST5[label]
    if label == 2:
        return None
    return SST2[0] if label < 2 else SST2[1]


def read_sst(path: str | Path, classes: int = 5, phrases: bool = False
             ) -> tuple[list[str], list[str], list[str]]:
    """(texts, labels, origins "file:line") of an SST tree file.

    ``phrases=True`` gives every labelled node (all-phrases protocol), else the roots.
    """
    if classes not in (2, 5):
        raise ValueError(f"expected SST with 2 or 5 classes, got {classes}")
    path = Path(path)
    texts: list[str] = []
    labels: list[str] = []
    origins: list[str] = []
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        nodes = parse_tree(line, f"{path}:{number}")
        for label, words in nodes if phrases else nodes[:1]:
            if label > 4:
                raise ValueError(f"{path}:{number}: expected SST labels 0-4, got {label}")
            name = sst_label(label, classes)
            if name is not None and words:
                texts.append(" ".join(words))
                labels.append(name)
                origins.append(f"{path}:{number}")
    return texts, labels, origins
