"""The architecture of DESIGN.md, checked on the source: who may import whom, and no cycles.

The graph below is DESIGN.md's table as edges. The scanner sees every import
(at the top of a file or inside a function; not the ones under ``if
TYPE_CHECKING:``, which never run), ``import rnnlab`` followed by ``rnnlab.NAME``
(resolved through the package's lazy export table), and module paths written
as strings ("rnnlab.tasks.lm", "rnnlab.demo.forecast:section") that importlib
loads. The last tests check the checker on a small fake package.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "rnnlab"

# DESIGN.md's layers and, for each, the layers it may import (besides itself and the
# root modules rnnlab.config / rnnlab.__init__); everything else is an upward import.
ALLOWED: dict[str, set[str]] = {
    "cells": set(),
    "layers": {"cells"},
    "reference": set(),  # NumPy only (checked below)
    "models": {"cells", "layers"},
    "data": set(),
    "training": {"cells"},  # the state helpers; never models, data or tasks
    "evaluation": {"cells", "layers", "models", "data"},
    "generation": {"cells", "models"},
    "tasks": {"cells", "layers", "models", "data", "training", "evaluation", "generation"},
    "diagnostics": {"cells", "layers", "reference", "models", "data", "training", "evaluation",
                    "tasks"},
    "demo": {"cells", "layers", "reference", "models", "data", "training", "evaluation",
             "generation", "tasks", "diagnostics"},
    "cli": {"cells", "layers", "models", "data", "training", "evaluation", "generation",
            "tasks", "diagnostics", "demo"},
}
_MODULE_STRING = re.compile(r"^(rnnlab(?:\.\w+)+)(?::\w+)?$")


def module_name(path: Path, root: Path) -> str:
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def lazy_exports(root: Path) -> dict[str, str]:
    """The package's ``_EXPORTS`` table (public name -> module), read from its __init__."""
    tree = ast.parse((root / "__init__.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) else [])
        if any(isinstance(t, ast.Name) and t.id == "_EXPORTS" for t in targets):
            return ast.literal_eval(node.value)
    return {}


def _skipped_nodes(tree: ast.AST) -> set[int]:
    """Nodes that import nothing at run time: ``if TYPE_CHECKING:`` blocks, and logger
    names (``logging.getLogger("rnnlab.training")`` is a name, not a module to load)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for child in node.body for n in ast.walk(child))
        if (isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name))
                and getattr(node.func, "attr", getattr(node.func, "id", "")) == "getLogger"):
            skipped.update(id(arg) for arg in node.args)
    return skipped


def imported_modules(path: Path, root_name: str = "rnnlab",
                     exports: dict[str, str] | None = None) -> set[str]:
    """Every module a file imports, as the running code would."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _skipped_nodes(tree)
    names: set[str] = set()
    package_aliases: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                names.add(alias.name)
                if alias.name == root_name:
                    package_aliases.add(alias.asname or alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
            if node.module == root_name:  # from rnnlab import RNN -> where RNN lives
                names.update((exports or {}).get(alias.name, "") for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = _MODULE_STRING.match(node.value)
            if match and match[1].split(".")[0] == root_name:
                names.add(match[1])  # a module loaded by importlib from this string
    for node in ast.walk(tree):  # rnnlab.RNN after `import rnnlab`
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in package_aliases and id(node) not in skipped):
            names.add((exports or {}).get(node.attr, f"{root_name}.{node.attr}"))
    return {n for n in names if n}


def layer_of(module: str, layers) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in layers else None


def upward_imports(root: Path, allowed: dict[str, set[str]]) -> list[str]:
    """'file imports module' for every import the graph does not allow."""
    exports = lazy_exports(root)
    offences = []
    for layer, may in allowed.items():
        for path in sorted((root / layer).rglob("*.py")):
            for module in imported_modules(path, root.name, exports):
                target = layer_of(module, allowed)
                if target is not None and target != layer and target not in may:
                    offences.append(f"{path.relative_to(root)} imports {module}")
    return sorted(set(offences))


def module_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the package modules it imports (attributes resolved to their module)."""
    exports = lazy_exports(root)
    files = {module_name(p, root): p for p in root.rglob("*.py")}
    graph = {}
    for name, path in files.items():
        edges = set()
        for module in imported_modules(path, root.name, exports):
            while module and module not in files:  # "pkg.mod.func" -> "pkg.mod"
                module = module.rpartition(".")[0]
            if module and module != name:
                edges.add(module)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_every_layer_of_the_design_exists_and_nothing_else():
    folders = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(ALLOWED), "DESIGN.md's layers and src/rnnlab/ differ"


def test_no_layer_imports_what_the_design_forbids():
    offences = upward_imports(SRC, ALLOWED)
    assert not offences, "imports the DESIGN graph forbids:\n" + "\n".join(offences)


def test_no_import_cycles():
    found = cycles(module_graph(SRC))
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_reference_engine_needs_no_torch():
    offences = [
        f"{path.relative_to(SRC)} imports {module}"
        for path in sorted((SRC / "reference").rglob("*.py"))
        for module in imported_modules(path)
        if module.split(".")[0] == "torch"
    ]
    assert not offences, "rnnlab.reference is NumPy only:\n" + "\n".join(offences)


# ---------------------------------------------------------------- the checker, checked

@pytest.fixture
def fake(tmp_path: Path) -> Path:
    """A fake package with one offence of each kind the scanner must see."""
    root = tmp_path / "rnnlab"
    for folder in ("cells", "training", "models", "tasks", "cli"):
        (root / folder).mkdir(parents=True)
        (root / folder / "__init__.py").write_text("")
    (root / "__init__.py").write_text('_EXPORTS = {"Model": "rnnlab.models.net"}\n')
    (root / "models" / "net.py").write_text("import torch\n")
    (root / "training" / "nested.py").write_text("def f():\n    from rnnlab.cli import main\n")
    (root / "training" / "lazy.py").write_text("import rnnlab\n\nm = rnnlab.Model\n")
    (root / "training" / "plugin.py").write_text(
        'import logging\nlog = logging.getLogger("rnnlab.cli")\nTASK = "rnnlab.tasks.lm:build"\n')
    (root / "training" / "typed.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from rnnlab.tasks import x\n")
    (root / "cells" / "a.py").write_text("from rnnlab.cells import b\n")
    (root / "cells" / "b.py").write_text("def g():\n    import rnnlab.cells.a\n")
    return root


def test_the_checker_sees_nested_lazy_and_string_imports_but_not_type_only_ones(fake):
    allowed = {"cells": set(), "models": {"cells"}, "training": {"cells"},
               "tasks": {"cells", "models", "training"}, "cli": {"tasks"}}
    offences = upward_imports(fake, allowed)
    assert offences == [
        "training/lazy.py imports rnnlab.models.net",  # import rnnlab; rnnlab.Model
        "training/nested.py imports rnnlab.cli",  # inside a function
        "training/nested.py imports rnnlab.cli.main",
        "training/plugin.py imports rnnlab.tasks.lm",  # an importlib string
    ]  # typed.py's TYPE_CHECKING import is not one, nor plugin.py's logger name


def test_the_checker_finds_a_cycle(fake):
    assert cycles(module_graph(fake)) == [["rnnlab.cells.a", "rnnlab.cells.b"]]
    (fake / "cells" / "b.py").write_text("x = 1\n")
    assert cycles(module_graph(fake)) == []
