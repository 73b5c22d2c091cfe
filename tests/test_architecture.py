"""The layering of DESIGN.md, checked on the source: lower layers never import higher ones."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "rnnlab"

# bottom up, as in DESIGN.md's architecture table
LAYERS = (
    "cells",
    "layers",
    "reference",
    "models",
    "data",
    "training",
    "evaluation",
    "generation",
    "diagnostics",
    "cli",
)


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside functions."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def rnnlab_layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "rnnlab" and len(parts) > 1 and parts[1] in LAYERS else None


@pytest.mark.parametrize("layer", LAYERS)
def test_layer_imports_only_layers_below_it(layer):
    allowed = set(LAYERS[: LAYERS.index(layer) + 1])
    offences = []
    for path in sorted((SRC / layer).rglob("*.py")):
        for module in imported_modules(path):
            target = rnnlab_layer(module)
            if target is not None and target not in allowed:
                offences.append(f"{path.relative_to(SRC)} imports {module}")
    assert not offences, "lower layers must not import higher ones:\n" + "\n".join(offences)


def test_reference_engine_needs_no_torch():
    offences = [
        f"{path.relative_to(SRC)} imports {module}"
        for path in sorted((SRC / "reference").rglob("*.py"))
        for module in imported_modules(path)
        if module.split(".")[0] == "torch"
    ]
    assert not offences, "rnnlab.reference is NumPy only:\n" + "\n".join(offences)


def test_the_scanner_finds_nested_imports(tmp_path):
    """The check itself can fail: an import inside a function is seen."""
    path = tmp_path / "m.py"
    path.write_text("import os\n\ndef f():\n    from rnnlab.cli import main\n")
    assert imported_modules(path) == {"os", "rnnlab.cli"}
    assert rnnlab_layer("rnnlab.models.language_model") == "models"
    assert rnnlab_layer("rnnlab.config") is None
