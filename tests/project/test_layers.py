"""The package's layers: imports point down only, and no private name crosses a module.

The order is the architecture (README, "How the code is organised"): foundation modules, then
data, survey, analysis, charts, notebook helpers, reports, the CLI; developer tools sit apart
and may use every layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "aijobs"
LAYERS = {"errors": 0, "paths": 0, "files": 0, "formatting": 0, "words": 0, "data": 1,
          "survey": 2, "sources": 2, "analysis": 3, "charts": 4, "notebook": 5, "reports": 6,
          "lab": 7, "cli": 8,
          "devtools": 9}
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "egg-info" not in str(p))


def _layer_of(dotted: str) -> str:
    """'aijobs.survey.reader' -> 'survey'; 'aijobs.paths' -> 'paths'."""
    return dotted.split(".")[1]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _aijobs_imports(tree: ast.AST) -> list[tuple[int, str, list[str]]]:
    """(line, imported module, names) for every import of the package's own modules."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "aijobs":  # from aijobs import paths, errors
                for alias in node.names:
                    found.append((node.lineno, f"aijobs.{alias.name}", []))
            elif node.module.startswith("aijobs."):
                found.append((node.lineno, node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("aijobs."):
                    found.append((node.lineno, alias.name, []))
    return found


def test_every_module_belongs_to_a_known_layer():
    unknown = {_layer_of(_module_name(p)) for p in MODULES if _module_name(p) != "aijobs"}
    assert unknown <= set(LAYERS), f"add the new folder to LAYERS: {unknown - set(LAYERS)}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down_the_layers(path):
    name = _module_name(path)
    if name == "aijobs":
        return
    own = LAYERS[_layer_of(name)]
    upward = [f"line {line}: {target} (layer {_layer_of(target)})"
              for line, target, _ in _aijobs_imports(ast.parse(path.read_text()))
              if LAYERS[_layer_of(target)] > own and _layer_of(name) != "devtools"]
    assert not upward, f"{name} (layer {_layer_of(name)}) imports from a higher layer: {upward}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_private_name_crosses_a_module(path):
    private = [f"line {line}: {n} from {target}"
               for line, target, names in _aijobs_imports(ast.parse(path.read_text()))
               for n in names if n.startswith("_")]
    assert not private, f"{_module_name(path)} imports private names: {private}"


@pytest.mark.parametrize("path", [p for p in MODULES if "devtools" not in p.parts],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_inside_functions_say_why(path):
    """A deferred import is there for start-up time or an optional dependency, and says so."""
    source = path.read_text()
    lines = source.splitlines()
    silent = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for sub in ast.walk(node):
                if isinstance(sub, ast.Import | ast.ImportFrom):
                    nearby = " ".join(lines[max(0, sub.lineno - 3):sub.lineno])
                    if "#" not in nearby:
                        silent.append(f"line {sub.lineno}: {lines[sub.lineno - 1].strip()}")
    assert not silent, f"imports inside functions without a comment saying why: {silent}"


def test_the_check_catches_an_upward_import(tmp_path):
    tree = ast.parse("from aijobs.reports import build\nfrom aijobs.charts.theme import _x\n")
    found = _aijobs_imports(tree)
    assert [(t, n) for _, t, n in found] == [("aijobs.reports", ["build"]),
                                             ("aijobs.charts.theme", ["_x"])]
    assert LAYERS[_layer_of("aijobs.reports")] > LAYERS[_layer_of("aijobs.data.tables")]
