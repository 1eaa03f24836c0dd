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
    """The steps a canvas is built from: `step("<app>.<name>", ...)` / `step_with_result(...)`."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("step", "step_with_result")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(node.args[0].value.partition(".")[2])
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
