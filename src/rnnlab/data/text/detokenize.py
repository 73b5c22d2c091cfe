"""Word tokens back to text, for scoring and reading: "je suis là !" not "je suis là  !".

The word tokenizer (``split = "regex"``) keeps letters and digits joined by
inner hyphens and apostrophes as one token ("l'homme", "don't", "peut-être")
and makes every other symbol its own token, so undoing it is a matter of
where a space goes around punctuation. The rules (Moses-like, for the two
languages of the reference data):

* no space before ``. , ) ] } % …`` and none after ``( [ {``;
* French typography keeps a space before ``! ? ; :`` and ``»`` and after ``«``;
  English (and any other language here) writes them without one.

Scores do not hinge on these rules: sacrebleu's 13a tokenizer splits the
punctuation off again, and chrF ignores spaces; the rules make the output
readable and let it be compared with the references as written.
"""

from __future__ import annotations

from collections.abc import Sequence

_NO_SPACE_BEFORE = {".", ",", ")", "]", "}", "%", "…"}
_NO_SPACE_AFTER = {"(", "[", "{"}
_FRENCH_SPACED = {"!", "?", ";", ":", "»"}


def detokenize(tokens: Sequence[str], language: str = "en") -> str:
    """Join word tokens into text with the spacing rules of ``language`` ("fr" or other)."""
    french = language.lower().startswith("fr")
    out: list[str] = []
    glue_next = False
    for token in tokens:
        glue = glue_next or not out or token in _NO_SPACE_BEFORE or (
            not french and token in _FRENCH_SPACED - {"»"})
        if french and out and out[-1] == "«":
            glue = False
        out.append(token if glue else " " + token)
        glue_next = token in _NO_SPACE_AFTER
    return "".join(out).strip()
