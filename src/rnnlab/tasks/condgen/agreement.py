"""Do the samples sound like the language asked for? A surname classifier as the judge.

    write_split_folder(gen.config["data"], "runs/names-split")   # then: rnnlab classify train
    report = classifier_agreement(gen, classifier, n=100, seed=0, unconditional=gen_none)
    print(report.describe())

For every language L of the generator: ``n`` samples given L, and the share the
classifier assigns to L (the *agreement*); beside it the classifier's accuracy on
the generator's held-out real names of L (the *ceiling*: a perfect generator's
samples are as recognisable as real names) and, from the unconditional model
(``mode = "none"``), the share of its samples the classifier assigns to L (the
*floor*: what asking for L gets when the condition is ignored; averaged over the
languages it is 1/C whatever the model).

**Leak check.** The ceiling is only honest if the classifier never trained on
the held-out names it is scored on. The classifier's own split (classify's
stratified split of de-duplicated names) is not the generator's (condgen keeps
every label of a name and splits the distinct names unstratified), so equal
seeds and fractions do *not* give equal splits. :func:`write_split_folder`
writes the generator's split as ``train.tsv / valid.tsv / test.tsv``; a
classifier trained on that folder keeps those splits (classify keeps given
splits, removing from train any name that valid or test hold). Whatever the
classifier, the held-out names it trained on are counted (``overlap``) and left
out of the ceiling.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from rnnlab.data.text.labelled import Labelled, load_labelled_folder
from rnnlab.evaluation.language import format_table
from rnnlab.tasks.classify import LoadedClassifier, load_classifier, read_splits
from rnnlab.tasks.classify.load import class_probabilities
from rnnlab.tasks.condgen.config import CondGenDataConfig
from rnnlab.tasks.condgen.load import LoadedGenerator, generate_items, load_generator


def write_split_folder(data: CondGenDataConfig, out_dir: str | Path) -> dict[str, int]:
    """The generator's train / valid / test items as ``text<TAB>label`` files in ``out_dir``
    (a classify ``[data] path`` that keeps them); returns the items written per split."""
    split = load_labelled_folder(data.path, valid=data.valid_fraction, test=data.test_fraction,
                                 seed=data.split_seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, items in split.items.items():
        with (out / f"{name}.tsv").open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, delimiter="\t", lineterminator="\n")
            writer.writerow(["text", "label"])
            writer.writerows(items)
        counts[name] = len(items)
    return counts


@dataclass
class LanguageAgreement:
    """One language: generated samples, held-out real names, unconditional samples."""

    label: str
    samples: int  # samples generated given this language
    agreed: int  # ... that the classifier assigns to it
    copies: int  # ... that are names of the generator's training split
    agreed_novel: int  # ... that are not, and the classifier assigns to it
    real: int  # held-out real names of this language scored (not in the classifier's train)
    real_correct: int  # ... that the classifier assigns to it
    floor: float | None = None  # share of the unconditional samples assigned to it

    @property
    def share(self) -> float:
        return self.agreed / self.samples if self.samples else float("nan")

    @property
    def novel_share(self) -> float:
        """The share among the samples that copy no training name."""
        novel = self.samples - self.copies
        return self.agreed_novel / novel if novel else float("nan")

    @property
    def ceiling(self) -> float:
        return self.real_correct / self.real if self.real else float("nan")


@dataclass
class AgreementReport:
    languages: list[LanguageAgreement]
    mode: str  # the generator's model.mode
    temperature: float
    seed: int
    split: str  # the generator's split the ceiling is measured on
    overlap: int  # names of that split the classifier trained on (left out of the ceiling)
    unconditional: dict[str, int] = field(default_factory=dict)  # its samples per class

    @property
    def share(self) -> float:
        """Agreement over all samples (every language has ``n``: the mean of the shares)."""
        return sum(a.agreed for a in self.languages) / max(1, sum(a.samples for a in
                                                                   self.languages))

    @property
    def novel_share(self) -> float:
        novel = sum(a.samples - a.copies for a in self.languages)
        return sum(a.agreed_novel for a in self.languages) / novel if novel else float("nan")

    @property
    def ceiling(self) -> float:
        """The mean over the languages of the accuracy on their real names (each language
        weighs the same, as in :attr:`share`; :attr:`pooled_ceiling` weighs every name)."""
        scores = [a.ceiling for a in self.languages if a.real]
        return sum(scores) / len(scores) if scores else float("nan")

    @property
    def pooled_ceiling(self) -> float:
        return (sum(a.real_correct for a in self.languages)
                / max(1, sum(a.real for a in self.languages)))

    def describe(self) -> str:
        pct = lambda x: "-" if x is None or x != x else f"{100 * x:.1f}"  # noqa: E731
        conditional = self.mode != "none"
        head = ["language", "asked: assigned %" if conditional else "samples: assigned %",
                "copies", "novel: assigned %", "real: accuracy %", "real names",
                "unconditional: assigned %"]
        rows = [(a.label, pct(a.share) if conditional else pct(a.agreed / a.samples),
                 a.copies, pct(a.novel_share) if conditional else "-", pct(a.ceiling), a.real,
                 pct(a.floor)) for a in self.languages]
        total_floor = (None if not self.unconditional else
                       sum(a.floor for a in self.languages if a.floor is not None)
                       / len(self.languages))
        rows.append(("mean" if conditional else "all", pct(self.share) if conditional
                     else "100.0", sum(a.copies for a in self.languages),
                     pct(self.novel_share) if conditional else "-", pct(self.ceiling),
                     sum(a.real for a in self.languages), pct(total_floor)))
        n = self.languages[0].samples if self.languages else 0
        what = (f"{n} samples per language" if conditional else
                f"{n} samples (no language asked: the "
                "share of each class the classifier assigns)")
        lines = [f"classifier agreement ({self.mode!r} generator): {what}, temperature "
                 f"{self.temperature}, seeds {self.seed}..{self.seed + max(n, 1) - 1}",
                 f"copies: samples that are names of the generator's training split; real: "
                 f"the classifier on the generator's {self.split} names ({self.overlap} of them "
                 f"in the classifier's training data, left out; all names pooled: "
                 f"{pct(self.pooled_ceiling)} %)", format_table(rows, head)]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"mode": self.mode, "temperature": self.temperature, "seed": self.seed,
                "split": self.split, "overlap": self.overlap, "share": self.share,
                "novel_share": self.novel_share, "ceiling": self.ceiling,
                "pooled_ceiling": self.pooled_ceiling, "unconditional": self.unconditional,
                "languages": [{**vars(a), "share": a.share, "novel_share": a.novel_share,
                               "ceiling": a.ceiling}
                              for a in self.languages]}


def predicted_classes(classifier: LoadedClassifier, texts: list[str]) -> list[str]:
    """The class the classifier gives each text (an empty text reads as one <unk>)."""
    if not texts:
        return []
    probs, _ = class_probabilities(classifier, texts)
    return [classifier.classes[i] for i in probs.argmax(-1).tolist()]


def check_classifier(generator: LoadedGenerator, classifier: LoadedClassifier) -> None:
    missing = [label for label in generator.labels if label not in classifier.classes]
    if missing:
        raise ValueError(f"the classifier does not know the generator's labels {missing} "
                         f"(its classes: {classifier.classes}); train it on the same data")


def _held_out(generator: LoadedGenerator, split: str) -> tuple[list[Labelled], set[str]]:
    data = generator.config["data"]
    parts = load_labelled_folder(data.path, valid=data.valid_fraction, test=data.test_fraction,
                                 seed=data.split_seed)
    if not parts.items.get(split):
        raise ValueError(f"the generator's data has no {split!r} split")
    return parts.items[split], {item.text for item in parts.items["train"]}


def _samples(generator: LoadedGenerator, label: str, n: int, seed: int,
             temperature: float | None) -> list[str]:
    sample = generator.config["sample"]
    sample = replace(sample, seed=seed, **({} if temperature is None
                                           else {"temperature": temperature}))
    return generate_items(generator, label, n, sample=sample)


def classifier_agreement(generator: LoadedGenerator, classifier: LoadedClassifier, n: int = 100,
                         seed: int = 0, temperature: float | None = None, *,
                         unconditional: LoadedGenerator | None = None,
                         split: str = "test") -> AgreementReport:
    """The agreement table (module docstring). ``temperature``: the run's ``[sample]`` one when
    None. A generator of ``mode = "none"`` gets ``n`` samples per language *without* one, and
    the table shows how they distribute over the classes."""
    if n < 1:
        raise ValueError(f"expected n >= 1 samples per language, got {n}")
    check_classifier(generator, classifier)
    held_out, train_names = _held_out(generator, split)
    classifier_train = set(read_splits(classifier.config["data"]).texts["train"])
    overlap = {item.text for item in held_out} & classifier_train
    scored = [item for item in held_out if item.text not in overlap]
    real_predicted = predicted_classes(classifier, [item.text for item in scored])
    floor: dict[str, int] = {}
    if unconditional is not None:
        if unconditional.config["model"].mode != "none":
            raise ValueError("the unconditional run must be of model.mode = \"none\", got "
                             f"{unconditional.config['model'].mode!r}")
        texts = _samples(unconditional, unconditional.labels[0], n * len(generator.labels),
                         seed, temperature)
        floor = dict(Counter(predicted_classes(classifier, texts)))
    mode = generator.config["model"].mode
    if mode == "none":  # no language to ask for: where do its samples go?
        texts = _samples(generator, generator.labels[0], n * len(generator.labels), seed,
                         temperature)
        classes = predicted_classes(classifier, texts)
        assigned = Counter(classes)
        copies = Counter(c for t, c in zip(texts, classes, strict=True) if t in train_names)
    languages = []
    for label in generator.labels:
        real = [p for item, p in zip(scored, real_predicted, strict=True) if item.label == label]
        if mode == "none":
            samples, agreed, copied, novel = len(texts), assigned[label], copies[label], 0
        else:
            texts_l = _samples(generator, label, n, seed, temperature)
            hits = [t for t, p in zip(texts_l, predicted_classes(classifier, texts_l),
                                      strict=True) if p == label]
            samples, agreed = n, len(hits)
            copied = sum(t in train_names for t in texts_l)
            novel = sum(t not in train_names for t in hits)
        total = sum(floor.values())
        languages.append(LanguageAgreement(
            label, samples, agreed, copied, novel, len(real), sum(p == label for p in real),
            floor.get(label, 0) / total if total else None))
    used = generator.config["sample"].temperature if temperature is None else temperature
    return AgreementReport(languages, mode, used, seed, split, len(overlap), floor)


def run_agreement(run_dir: str | Path, classifier_dir: str | Path, n: int = 100, seed: int = 0,
                  temperature: float | None = None, *,
                  unconditional: str | Path | None = None, split: str = "test",
                  which: str = "best", device: str = "cpu") -> AgreementReport:
    """``rnnlab condgen evaluate RUN --classifier CLASSIFY_RUN``: the runs loaded, then
    :func:`classifier_agreement`."""
    generator = load_generator(run_dir, which, device)
    classifier = load_classifier(classifier_dir, which, device)
    floor = None if unconditional is None else load_generator(unconditional, which, device)
    return classifier_agreement(generator, classifier, n, seed, temperature,
                                unconditional=floor, split=split)
