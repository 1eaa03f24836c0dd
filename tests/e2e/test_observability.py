"""Prometheus and Alertmanager as the stack runs them: every part is scraped, normal
operation raises no alert, and the staff console charts it. Each alert firing on the real
stack: tests/e2e/test_alerts.py."""

from __future__ import annotations

import time

import pytest
import requests

from shop.celery import QUEUE_NAMES, Priority
from tests.e2e.conftest import ARTIFACTS
from tests.harness.alerts import alert_mails, alerts, every_target_up, query
from tests.harness.jobs import wait_until

pytestmark = pytest.mark.e2e

# Several evaluations of every rule, each longer than ALERT_WORKER_DOWN_FOR in the harness.
QUIET_SECONDS = 12


def test_prometheus_scrapes_every_part_of_the_stack_and_normal_operation_is_quiet(stack):
    # Normal operation starts once every part answers (while the stack starts, a worker
    # that is still importing Django is down for longer than the tests' 4 s).
    wait_until(lambda: every_target_up(stack) and not alerts(stack), timeout=120, interval=1,
               message="every scrape target up, no alert")  # fmt: skip
    since = time.time_ns()
    for n in range(5):
        requests.get(f"{stack.url}/products/{n + 1}/", timeout=10)
    wait_until(lambda: query(stack, 'sum(greengrocer_http_requests_total{route="/products/<int:product_id>/"})'),
               timeout=30, interval=1, message="web requests scraped")  # fmt: skip
    # The demo's pictures ran on worker-bulk's prefork children at start.
    wait_until(lambda: query(stack, 'sum(greengrocer_celery_tasks_succeeded_total{queue="images"}) > 0'),
               timeout=90, interval=1, message="the picture tasks counted")  # fmt: skip
    depth_series = query(stack, "greengrocer_queue_messages")
    assert len(depth_series) == len(QUEUE_NAMES) * len(Priority)

    deadline = time.monotonic() + QUIET_SECONDS
    while time.monotonic() < deadline:
        assert alerts(stack) == []
        time.sleep(1)
    # A start-up blip's "[RESOLVED]" notice may still trail in; nothing may fire.
    subjects = [m["Subject"] for m in alert_mails(stack, since_ns=since)]
    assert [subject for subject in subjects if "FIRING" in subject] == []


def drawn_points(staff_page, chart: str) -> int:
    """How many points the chart's SVG lines have in the page."""
    return staff_page.evaluate(
        """(name) => [...document.querySelectorAll(`[data-chart="${name}"] polyline`)]
                     .reduce((sum, line) => sum + line.points.numberOfItems, 0)""",
        chart,
    )


def test_the_staff_console_draws_the_charts_from_prometheus_after_traffic(stack, staff_page):
    for n in range(10):
        requests.get(f"{stack.url}/products/{n + 1}/", timeout=10)
    wait_until(lambda: query(stack, "sum(rate(greengrocer_celery_tasks_started_total[1m])) > 0"),
               timeout=60, interval=1, message="a task rate to draw")  # fmt: skip
    staff_page.goto("/staff/monitoring/")
    staff_page.locator('[data-monitoring][data-state="ready"]').wait_for()
    assert drawn_points(staff_page, "workflow_outcomes") > 1
    assert drawn_points(staff_page, "tasks_per_second") > 1
    assert staff_page.locator("[data-alerts]").inner_text() == "No alert is firing."
    ARTIFACTS.mkdir(exist_ok=True)
    staff_page.screenshot(path=ARTIFACTS / "monitoring-charts.png", full_page=True)
