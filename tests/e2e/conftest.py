"""Browser tests against the real stack: the Procfile's processes on free ports, driven in
Debian's Chromium through Playwright. A failing test leaves a screenshot in test-artifacts/.
"""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.harness.processes import ROOT
from tests.harness.stack import Stack

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # fmt: skip
DESKTOP = {"width": 1280, "height": 900}
STAFF = ("staff", "greengrocer-staff")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    running = Stack(tmp_path_factory.mktemp("stack")).start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _artifact_name(nodeid: str) -> str:
    return re.sub(r"[^\w.-]+", "_", nodeid).strip("_")


@pytest.fixture
def page(request, browser: Browser, stack: Stack) -> Page:
    """A fresh browser context (no cookies, empty cart) on the stack's shop."""
    context = browser.new_context(base_url=stack.url, viewport=DESKTOP, accept_downloads=True)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=ARTIFACTS / f"{_artifact_name(request.node.nodeid)}.png", full_page=True)
    context.close()


def log_in(page: Page, username: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name=re.compile(f"Log out {re.escape(username)}")).wait_for()


@pytest.fixture
def staff_page(page: Page) -> Page:
    log_in(page, *STAFF)
    return page
