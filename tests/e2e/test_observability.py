"""Prometheus and Alertmanager as the stack runs them: every part is scraped, normal
operation raises no alert, and a stopped worker is mailed to the staff's mailbox."""

from __future__ import annotations

import email
import email.policy
import time
from pathlib import Path

import pytest
import requests

from shop.celery import QUEUE_NAMES, Priority
from tests.e2e.conftest import ARTIFACTS
from tests.harness.jobs import wait_until

pytestmark = pytest.mark.e2e

SCRAPE_JOBS = {"shop": 1, "celery-workers": 4, "flower": 1}
# Several evaluations of every rule, each longer than ALERT_WORKER_DOWN_FOR in the harness.
QUIET_SECONDS = 12


def query(stack, promql: str) -> list[dict]:
    response = requests.get(f"{stack.prometheus_url}/api/v1/query", params={"query": promql}, timeout=10)
    response.raise_for_status()
    return response.json()["data"]["result"]


def alerts(stack) -> list[dict]:
    response = requests.get(f"{stack.prometheus_url}/api/v1/alerts", timeout=10)
    response.raise_for_status()
    return response.json()["data"]["alerts"]


def alert_mails(stack, *, since_ns: int) -> list[email.message.EmailMessage]:
    """Alertmanager's mails in the sink received after `since_ns` (file names start with
    the receive time in nanoseconds: notifications/smtp_sink.py)."""
    folder = Path(stack.env["MAIL_SINK_DIR"])
    paths = [p for p in sorted(folder.glob("*.eml")) if int(p.name.split("-")[0].split(".")[0]) > since_ns]
    messages = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in paths]
    return [m for m in messages if "alerts@greengrocer.test" in str(m["From"])]


def every_target_up(stack) -> bool:
    response = requests.get(f"{stack.prometheus_url}/api/v1/targets", timeout=10)
    targets = response.json()["data"]["activeTargets"]
    healthy = {}
    for target in targets:
        if target["health"] == "up":
            healthy[target["labels"]["job"]] = healthy.get(target["labels"]["job"], 0) + 1
    return healthy == SCRAPE_JOBS


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


def test_stopping_worker_fast_mails_the_worker_down_alert_to_the_staff(stack, staff_page):
    wait_until(lambda: every_target_up(stack) and not alerts(stack), timeout=120, interval=1,
               message="every scrape target up, no alert")  # fmt: skip
    since = time.time_ns()
    stack.stop_process("worker-fast")
    try:
        mails = wait_until(lambda: [m for m in alert_mails(stack, since_ns=since) if "FIRING" in m["Subject"]],
                           timeout=90, interval=1, message="the alert mail")  # fmt: skip
        (mail,) = mails
        assert "WorkerDown" in mail["Subject"] and "FIRING" in mail["Subject"]
        assert mail["To"] == "staff@greengrocer.test"
        assert "Celery worker fast is down" in mail.get_body(("plain", "html")).get_content()
        firing = [a for a in alerts(stack) if a["state"] == "firing"]
        assert [(a["labels"]["alertname"], a["labels"]["node"]) for a in firing] == [("WorkerDown", "fast")]
        # The console lists it too.
        staff_page.goto("/staff/monitoring/")
        alert = staff_page.locator('[data-alerts] li[data-state="firing"]')
        alert.wait_for()
        assert "WorkerDown" in alert.inner_text() and "Celery worker fast is down" in alert.inner_text()
        staff_page.screenshot(path=ARTIFACTS / "monitoring-worker-down.png", full_page=True)
    finally:
        stack.start_process("worker-fast")
        stack.wait_healthy()
    wait_until(lambda: not alerts(stack), timeout=60, interval=1, message="the alert resolved")
