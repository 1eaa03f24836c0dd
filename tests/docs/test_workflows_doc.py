"""docs/workflows.md draws every task each workflows.py puts on its canvas."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW_MODULES = [
    "shop/orders/workflows.py",
    "catalog/workflows.py",
    "reporting/workflows.py",
    "notifications/workflows.py",
    "sync/workflows.py",
]


def canvas_task_names(path: Path) -> set[str]:
    """Names used as `tasks.<name>` or imported `*_task`s: the tasks a canvas is built from."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "tasks":
            names.add(node.attr)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.endswith(".tasks"):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("module", WORKFLOW_MODULES)
def test_every_task_of_the_workflow_is_in_the_diagrams(module):
    doc = (ROOT / "docs/workflows.md").read_text()
    names = canvas_task_names(ROOT / module)
    assert names, f"no tasks found in {module}"
    missing = sorted(name for name in names if name not in doc)
    assert not missing, f"docs/workflows.md lacks {missing} from {module}"
    assert f"]({Path('..') / module})" in doc, f"docs/workflows.md does not link {module}"


def test_every_diagram_is_mermaid():
    doc = (ROOT / "docs/workflows.md").read_text()
    assert doc.count("```mermaid\nflowchart") == len(WORKFLOW_MODULES)
