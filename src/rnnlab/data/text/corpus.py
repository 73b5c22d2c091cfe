"""Text corpora: train / valid / test lists of lines from files, folders and CoNLL-U.

Accepted layouts (each file plain UTF-8 or ``.gz``):

- one file: all of it is training text, optionally with the last fractions held
  out for validation and test (``valid_fraction``, ``test_fraction``);
- a folder with one set of split files, named ``<prefix>.<split>.<ext>`` or
  ``<prefix>-<split>.<ext>``: the PTB layout (``ptb.train.txt``,
  ``ptb.valid.txt``, ``ptb.test.txt``), the WikiText layout (``train.txt``,
  ``wiki.valid.tokens`` …) and the UD layout (``pt_bosque-ud-dev.conllu``);
  ``dev`` and ``validation`` mean ``valid``;
- ``shipped:NAME``: a corpus shipped inside the package (``shipped:pt-bosque``,
  Portuguese sentences from UD Bosque, see its SOURCE.md);
- a folder plus a prefix, when a folder holds several sets: ``data/ptb/ptb.char``
  picks ``ptb.char.train.txt.gz`` etc. and leaves ``ptb.train.txt.gz`` alone.

A line is one unit of text (a sentence for PTB and CoNLL-U); the tokenizer adds
``<eos>`` after each. CoNLL-U files give one line per sentence, the surface
tokens joined by single spaces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rnnlab.data.reading import read_lines
from rnnlab.data.shipped_data import resolve_path
from rnnlab.data.splits import SPLITS
from rnnlab.data.text.conllu import read_conllu_sentences

_SPLIT_ALIASES = {
    "train": "train",
    "valid": "valid",
    "validation": "valid",
    "dev": "valid",
    "test": "test",
}
_NAME = re.compile(r"^(?:(?P<prefix>.*)[._-])?(?P<split>train|valid|validation|dev|test)$")
_TEXT_SUFFIXES = (".txt", ".tokens", ".raw", ".conllu", ".text")


@dataclass(frozen=True)
class TextCorpus:
    """Lines of text per split, and the files they came from."""

    train: list[str]  # one sentence / line of text per item
    valid: list[str] = field(default_factory=list)  # empty when there is no validation text
    test: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # split -> file it was read from

    def split(self, name: str) -> list[str]:
        """The lines of ``name`` ("train", "valid", "test"); an error if that split is empty."""
        if name not in SPLITS:
            raise ValueError(f"expected a split in {SPLITS}, got {name!r}")
        lines = getattr(self, name)
        if not lines:
            raise ValueError(f"the corpus has no {name!r} text (sources: {self.sources})")
        return lines


def is_conllu(path: Path) -> bool:
    name = path.name[:-3] if path.name.endswith(".gz") else path.name
    return name.endswith(".conllu")


def read_corpus_lines(path: str | Path, *, keep_empty: bool = False) -> list[str]:
    """The lines of one text or CoNLL-U file (sentences as space-joined surface tokens)."""
    path = Path(path)
    if is_conllu(path):
        return [" ".join(tokens) for tokens in read_conllu_sentences(path)]
    return read_lines(path, keep_empty=keep_empty)


def split_name(filename: str, suffixes: tuple[str, ...] = _TEXT_SUFFIXES
               ) -> tuple[str, str] | None:
    """``"ptb.char.train.txt.gz"`` -> ("ptb.char", "train"); None if no split in the name
    (or a suffix not in ``suffixes``)."""
    stem = filename[:-3] if filename.endswith(".gz") else filename
    for suffix in suffixes:
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    else:
        return None
    match = _NAME.match(stem)
    if match is None:
        return None
    return match.group("prefix") or "", _SPLIT_ALIASES[match.group("split")]


def find_split_files(folder: Path, prefix: str | None = None,
                     suffixes: tuple[str, ...] = _TEXT_SUFFIXES) -> dict[str, Path]:
    """The split files in ``folder`` (those of ``prefix`` only, when given) whose names
    end in one of ``suffixes`` (before an optional ``.gz``)."""
    groups: dict[str, dict[str, list[Path]]] = {}
    for path in sorted(folder.iterdir()):
        parsed = split_name(path.name, suffixes) if path.is_file() else None
        if parsed is not None and (prefix is None or parsed[0] == prefix):
            groups.setdefault(parsed[0], {}).setdefault(parsed[1], []).append(path)
    where = f"{folder}" + (f" with prefix {prefix!r}" if prefix is not None else "")
    if not groups and prefix is not None:
        raise FileNotFoundError(
            f"corpus not found: {folder / prefix} is not a file or folder, and no "
            f"train/valid/test files in {folder} start with {prefix!r}"
        )
    if not groups:
        raise ValueError(
            f"no train/valid/test files found in {where}; expected names like train.txt, "
            "ptb.train.txt(.gz), wiki.valid.tokens or pt_bosque-ud-dev.conllu"
        )
    if len(groups) > 1:
        choices = ", ".join(str(folder / p) if p else f"{folder}/ (no prefix)" for p in groups)
        raise ValueError(f"{folder} holds several corpora; pass one of: {choices}")
    (files,) = groups.values()
    for split, paths in files.items():
        if len(paths) > 1:
            raise ValueError(f"several {split} files in {where}: {[p.name for p in paths]}")
    if "train" not in files:
        found = sorted(p.name for paths in files.values() for p in paths)
        raise ValueError(
            f"{where} has {found} but no training file; a validation or test set "
            "needs a train split beside it (e.g. train.txt)"
        )
    return {split: paths[0] for split, paths in files.items()}


def load_corpus(
    path: str | Path,
    *,
    valid_fraction: float = 0.0,
    test_fraction: float = 0.0,
    keep_empty: bool = False,
) -> TextCorpus:
    """Read a corpus from a file, a folder of split files, or ``folder/prefix``.

    ``valid_fraction`` / ``test_fraction`` hold out the last lines of a single
    file (train = the first lines, then valid, then test: no shuffling, so a
    held-out part is text the model never saw). ``keep_empty`` keeps blank lines
    (each then becomes an ``<eos>``, as WikiText's usual preprocessing does).
    """
    path = resolve_path(path)
    if not 0.0 <= valid_fraction < 1.0 or not 0.0 <= test_fraction < 1.0:
        raise ValueError(
            f"expected fractions in [0, 1), got valid={valid_fraction}, test={test_fraction}"
        )
    if path.is_file():
        lines = read_corpus_lines(path, keep_empty=keep_empty)
        return _hold_out(lines, valid_fraction, test_fraction, str(path))
    if path.is_dir():
        files = find_split_files(path)
    elif path.parent.is_dir():
        files = find_split_files(path.parent, prefix=path.name)
    else:
        raise FileNotFoundError(f"corpus not found: {path} (expected a file or a folder)")
    splits = {s: read_corpus_lines(p, keep_empty=keep_empty) for s, p in files.items()}
    sources = {s: str(p) for s, p in files.items()}
    if valid_fraction or test_fraction:
        if len(files) > 1:
            raise ValueError(
                f"{path} already has {sorted(files)} splits; hold-out fractions apply only "
                "to a single file"
            )
        return _hold_out(splits["train"], valid_fraction, test_fraction, sources["train"])
    return TextCorpus(splits["train"], splits.get("valid", []), splits.get("test", []), sources)


def _hold_out(lines: list[str], valid: float, test: float, source: str) -> TextCorpus:
    n = len(lines)
    n_valid, n_test = round(n * valid), round(n * test)
    n_train = n - n_valid - n_test
    if n_train < 1 or (valid and n_valid < 1) or (test and n_test < 1):
        raise ValueError(
            f"{source} has {n} line(s): too few to hold out valid={valid}, test={test}"
        )
    return TextCorpus(
        train=lines[:n_train],
        valid=lines[n_train : n_train + n_valid],
        test=lines[n_train + n_valid :],
        sources={s: source for s, k in (("train", 1), ("valid", n_valid), ("test", n_test)) if k},
    )
