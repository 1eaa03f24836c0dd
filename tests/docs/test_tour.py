"""docs/tour.md (and the README and architecture pages) point at real files and real tests.

Every Markdown link to a file must resolve, and every `tests/….py::test_name` must name a
test function defined at the top level of that file (read with ast, never imported).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOUR = ROOT / "docs/tour.md"
LEARNER_PAGES = ["processes.md", "what-happens-when.md", "debug-a-stuck-job.md", "break-it.md", "glossary.md"]
LINKED_PAGES = [
    TOUR,
    ROOT / "README.md",
    ROOT / "docs/architecture.md",
    ROOT / "docs/workflows.md",
    *(ROOT / "docs" / page for page in LEARNER_PAGES),
]

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
TEST_REFERENCE = re.compile(r"(tests/[\w/]+\.py)::(\w+)")
TUTORIAL_PARTS = [
    "Fundamentals", "Setup", "Task basics", "routing", "beat", "retries", "Results and status",
    "Chains and workflows", "Priority queues", "Monitoring", "Performance", "Deployment",
    "Debugging and logging", "Testing", "practical examples", "five projects", "Interview questions",
    "Quick reference",
]  # fmt: skip
PROJECTS = [
    "Email system",
    "Image processing",
    "Scheduled reports",
    "Batch processing",
    "Real-time data sync",
]


def file_links(page: Path) -> list[str]:
    """Relative links of a page, without their #fragment; web addresses are left out."""
    targets = []
    for target in LINK.findall(page.read_text()):
        if "://" in target or target.startswith(("mailto:", "#")):
            continue
        targets.append(target.split("#", 1)[0])
    return targets


def defined_test_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_")
    }


@pytest.mark.parametrize("page", LINKED_PAGES, ids=lambda p: p.name)
def test_every_file_link_resolves(page):
    links = file_links(page)
    missing = [target for target in links if not (page.parent / target).resolve().exists()]
    assert not missing, f"{page.name} links to missing files: {missing}"


def test_the_tour_and_the_readme_link_their_files():
    assert len(file_links(TOUR)) >= 40
    readme_links = set(file_links(ROOT / "README.md"))
    assert {"docs/tour.md", "docs/workflows.md", "docs/architecture.md"} <= readme_links
    assert {f"docs/{page}" for page in LEARNER_PAGES} <= readme_links


def test_every_test_reference_names_a_real_test_function():
    references = TEST_REFERENCE.findall(TOUR.read_text())
    assert len(references) >= 40, "the tour names too few tests"
    wrong = []
    for path, name in references:
        file = ROOT / path
        if not file.is_file():
            wrong.append(f"{path} does not exist")
        elif name not in defined_test_functions(file):
            wrong.append(f"{path} has no test function {name}")
    assert not wrong, "\n".join(wrong)


def test_the_tour_covers_every_part_of_the_tutorial_and_the_five_projects():
    headings = [line for line in TOUR.read_text().splitlines() if line.startswith("## ")]
    for part in TUTORIAL_PARTS:
        assert any(part.lower() in heading.lower() for heading in headings), f"no section for {part}"
    text = TOUR.read_text()
    for project in PROJECTS:
        assert f"| {project} |" in text, f"no row for the {project} project"


def test_the_tour_names_every_call_style():
    text = TOUR.read_text()
    for style in ("delay", "countdown=", "eta=", "queue=", "priority=", "bind=True", "self.request",
                  "update_state", "AsyncResult(id)", "inspect", "control", "events --dump", "threads"):  # fmt: skip
        assert style in text, style


def test_the_checker_catches_a_missing_test(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("[gone](nowhere.py) and `tests/docs/test_tour.py::test_that_does_not_exist`")
    assert file_links(page) == ["nowhere.py"]
    ((path, name),) = TEST_REFERENCE.findall(page.read_text())
    assert name not in defined_test_functions(ROOT / path)
