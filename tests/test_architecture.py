"""The data flows one way: a module imports only from the layers before it.

    config, calendar -> io -> synth -> metrics -> assess -> disclose
             -> report (notebook API, tables, charts) -> publish (prepare, execute, render, pipeline) -> cli

Why a test: the design's promise that presentation never feeds back into computation (and that
the public path cannot reach record-level data except through disclosure) is only kept if someone
checks it. This reads every module's imports with ``ast`` and fails on an import that points
downstream.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "torbayreport"

# Layer of each top-level module or package under torbayreport (lower = earlier in the flow).
LAYERS = {
    "__init__": 0,
    "calendar": 0,
    "config": 0,
    "io": 1,
    "synth": 2,
    "metrics": 3,
    "assess": 4,
    "disclose": 5,
    "report": 6,
    "region": 6,
    "publish": 7,
    "cli": 8,
}


def _top(module_path: Path) -> str:
    rel = module_path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.ImportFrom) and node.level:
            pass  # relative imports stay inside their own package
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
    return [(line, name) for line, name in found if name.split(".")[0] == "torbayreport"]


MODULES = sorted(p for p in SRC.rglob("*.py"))


def test_every_top_level_module_has_a_layer():
    tops = {_top(p) for p in MODULES}
    assert tops <= set(LAYERS), f"modules without a declared layer: {sorted(tops - set(LAYERS))}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_imports_point_upstream_only(path):
    here = _top(path)
    if here in {"cli", "__init__"}:
        return
    bad = []
    for line, name in _imports(path):
        parts = name.split(".")
        if len(parts) < 2:
            continue
        target = parts[1]
        if target == here:
            continue
        if LAYERS.get(target, 99) > LAYERS[here]:
            bad.append(f"line {line}: imports {name} (layer {target}) from layer {here}")
    assert not bad, f"{path.relative_to(SRC)} imports downstream:\n" + "\n".join(bad)
