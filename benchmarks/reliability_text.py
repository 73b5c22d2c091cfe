"""The text-task cases of ``benchmarks/reliability.py``: classify, tag and translate inputs.

Malformed labelled CSVs, CoNLL files and parallel TSVs given to ``classify|tag|translate
train``, read verbs on a missing run or a run of another kind, and one legitimate
control per train verb (each must finish with finite figures). Same contract as
``reliability_inputs``: ``expect="error"`` with a message matching ``pattern``
(file and line where there is one), or ``expect="ok"``.
"""

from __future__ import annotations

from pathlib import Path

WORDS = ["gato", "cão", "casa", "rio", "sol", "mar", "livro", "porta", "mesa", "árvore"]


def _labelled(n: int = 80) -> list[str]:
    return [f"{'bom' if i % 2 else 'mau'} {WORDS[i % 10]} {WORDS[(3 * i) % 10]} {i},"
            f"{'pos' if i % 2 else 'neg'}" for i in range(n)]


def _conll(n: int = 60) -> list[str]:
    sentences = []
    for i in range(n):
        words = ["o", WORDS[i % 10], "viu", "a", WORDS[(7 * i + 3) % 10], str(i)]
        tags = ["DET", "NOUN", "VERB", "DET", "NOUN", "NUM"]
        sentences.append("\n".join(f"{w}\t{t}" for w, t in zip(words, tags, strict=True)))
    return sentences


def _pairs(n: int = 80) -> list[str]:
    en = ["cat", "dog", "house", "river", "sun", "sea", "book", "door", "table", "tree"]
    return [f"the {en[i % 10]} {en[(3 * i) % 10]} {i} .\to {WORDS[i % 10]} "
            f"{WORDS[(3 * i) % 10]} {i} ." for i in range(n)]


def text_cases(root: Path, case) -> list:
    """Write the files under ``root/text`` and return the cases (``case`` is ``Case``)."""
    folder = root / "text"
    folder.mkdir(parents=True, exist_ok=True)
    good = _labelled()
    files = {
        "labels.csv": "text,label\n" + "\n".join(good) + "\n",
        "empty-labels.csv": "text,label\n",
        "one-class.csv": "text,label\n" + "\n".join(r.replace(",neg", ",pos") for r in good)
                         + "\n",
        "ragged-labels.csv": "text,label\n" + "\n".join([*good[:2], good[2] + ",extra",
                                                        *good[3:]]) + "\n",
        "no-label-column.csv": "text,class\n" + "\n".join(good) + "\n",
        "tags.conll": "\n\n".join(_conll()) + "\n",
        "one-column.conll": "o\tDET\ngato\tNOUN\nviu\n\n" + "\n\n".join(_conll()) + "\n",
        "empty.conll": "",
        "pairs.tsv": "\n".join(_pairs()) + "\n",
        "missing-column.tsv": "\n".join([_pairs()[0], "the cat .", *_pairs()[1:]]) + "\n",
        "empty-target.tsv": "\n".join([_pairs()[0], "the cat .\t", *_pairs()[1:]]) + "\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    small = ("--hidden-size", "8", "--epochs", "1", "--quiet")

    def train(verb: str, data: str, run: str) -> tuple[str, ...]:
        return (verb, "train", "--data", str(folder / data), *small,
                "--run-dir", str(root / "runs" / run))

    bad = [
        (train("classify", "empty-labels.csv", "c1"), r"no training texts in .*empty-labels.csv"),
        (train("classify", "one-class.csv", "c2"), r"at least 2 classes in .*one-class.csv"),
        (train("classify", "ragged-labels.csv", "c3"), r"ragged-labels.csv.*line 4"),
        (train("classify", "no-label-column.csv", "c4"), r"no-label-column.csv: no column.*label"),
        (("classify", "predict", "{root}/nope", "bom gato"), r"run directory not found"),
        (("classify", "predict", "{lm}", "bom gato"), r"not a 'classify' run"),
        (train("tag", "one-column.conll", "g1"), r"one-column.conll:3: expected 2"),
        (train("tag", "empty.conll", "g2"), r"empty.conll"),
        (("tag", "predict", "{fc}", "o gato"), r"not a 'tag' run"),
        (train("translate", "missing-column.tsv", "m1"), r"missing-column.tsv, line 2"),
        (train("translate", "empty-target.tsv", "m2"), r"empty-target.tsv, line 2"),
        (("translate", "translate", "{root}/nope", "the cat"), r"run directory not found"),
    ]
    good_runs = [train("classify", "labels.csv", "c0"), train("tag", "tags.conll", "g0"),
                 train("translate", "pairs.tsv", "m0")]
    return ([case("text", " ".join(a[:2]) + " " + Path(a[3]).name if a[1] == "train"
                  else " ".join(a[:3]), a, "error", p) for a, p in bad]
            + [case("text", f"{a[0]} train control", a, "ok") for a in good_runs])
