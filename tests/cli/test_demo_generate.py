"""The tour's vector -> sequence section: both generators trained, bits per character of both
printed, and samples for every language it names."""

from __future__ import annotations

import re

from rnnlab.cli.main import main
from rnnlab.demo.generate import LANGUAGES


def test_demo_generate_section_quick(tmp_path, capsys):
    assert main(["demo", "--quick", "--run-dir", str(tmp_path), "--only", "generate"]) == 0
    out = capsys.readouterr().out
    found = re.search(r"given the language (\d+\.\d+), without it (\d+\.\d+)", out)
    assert found and all(0 < float(v) < 8 for v in found.groups())  # ≤ log2 of the alphabet
    for language in LANGUAGES:
        assert re.search(rf"^  {language}\s+\S", out, re.M)
    for mode in ("every", "none"):
        assert (tmp_path / "generate" / mode / "report.md").is_file()
