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
    assert [m["Subject"] for m in alert_mails(stack, since_ns=since)] == []


def test_stopping_worker_fast_mails_the_worker_down_alert_to_the_staff(stack):
    wait_until(lambda: every_target_up(stack) and not alerts(stack), timeout=120, interval=1,
               message="every scrape target up, no alert")  # fmt: skip
    since = time.time_ns()
    stack.stop_process("worker-fast")
    try:
        mails = wait_until(lambda: alert_mails(stack, since_ns=since), timeout=90, interval=1,
                           message="the alert mail")  # fmt: skip
        (mail,) = mails
        assert "WorkerDown" in mail["Subject"] and "FIRING" in mail["Subject"]
        assert mail["To"] == "staff@greengrocer.test"
        assert "Celery worker fast is down" in mail.get_body(("plain", "html")).get_content()
        firing = [a for a in alerts(stack) if a["state"] == "firing"]
        assert [(a["labels"]["alertname"], a["labels"]["node"]) for a in firing] == [("WorkerDown", "fast")]
    finally:
        stack.start_process("worker-fast")
        stack.wait_healthy()
    wait_until(lambda: not alerts(stack), timeout=60, interval=1, message="the alert resolved")
