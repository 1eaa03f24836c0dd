"""Every alert rule fires on the real stack when its fault is made, reaches Alertmanager
(and, for most, the staff's mailbox), and resolves once the fault is undone, so the shared
stack is left as it was. Normal operation staying quiet: tests/e2e/test_observability.py.

The harness (tests/harness/stack.py) sets windows and thresholds in seconds: `for:` 4 s
(down) or 10 s, the orders queue's budget 5 s, outbox stuck after 5 s, beat silent after
30 s, failure rate over 45 s.
"""

from __future__ import annotations

import time

import pytest
import requests

from tests.e2e.conftest import ARTIFACTS, STAFF
from tests.harness.alerts import alerts, every_target_up, firing, firing_mail, query
from tests.harness.jobs import wait_until
from tests.harness.stack import Stack

pytestmark = pytest.mark.e2e

SHOPPER = ("shopper", "greengrocer-shopper")
DECLINED_CARD = "4000000000000002"
GOOD_CARD = "4242424242424242"
# WorkflowFailureRate counts a kind once at least 4 of its workflows finished in the window.
DECLINED_ORDERS = 5


@pytest.fixture
def quiet_since(stack) -> int:
    """Waits for normal operation (every target up, no alert pending or firing); returns
    the time after which this test's alert mails arrive."""
    wait_until(lambda: every_target_up(stack) and not alerts(stack), timeout=120, interval=1,
               message="every scrape target up, no alert")  # fmt: skip
    return time.time_ns()


def api(stack: Stack, login: tuple[str, str]) -> requests.Session:
    session = requests.Session()
    username, password = login
    response = session.post(f"{stack.url}/api/auth/token/", json={"username": username, "password": password},
                            timeout=10)  # fmt: skip
    response.raise_for_status()
    session.headers["Authorization"] = f"Token {response.json()['token']}"
    return session


def place_order(stack: Stack, shopper: requests.Session, *, card: str) -> int:
    products = shopper.get(f"{stack.url}/api/products/", timeout=10).json()["results"]
    product = next(p for p in products if p["stock"] >= 1)
    response = shopper.post(f"{stack.url}/api/orders/", timeout=10, json={
        "lines": [{"product": product["id"], "quantity": 1}], "card_number": card})  # fmt: skip
    assert response.status_code == 201, response.text
    return response.json()["id"]


def order_status(stack: Stack, shopper: requests.Session, order_id: int) -> str:
    return shopper.get(f"{stack.url}/api/orders/{order_id}/", timeout=10).json()["status"]


def wait_firing(stack: Stack, alertname: str, *, timeout: float = 60) -> list[dict]:
    return wait_until(lambda: firing(stack, alertname), timeout=timeout, interval=1,
                      message=f"{alertname} firing in Prometheus and Alertmanager")  # fmt: skip


def wait_resolved(stack: Stack, *, timeout: float = 90) -> None:
    wait_until(lambda: not alerts(stack), timeout=timeout, interval=1, message="every alert resolved")


def test_stopping_worker_fast_mails_worker_down_and_its_waiting_order_goes_over_budget(
    stack, staff_page, quiet_since
):
    shopper = api(stack, SHOPPER)
    stack.stop_process("worker-fast")
    try:
        order_id = place_order(stack, shopper, card=GOOD_CARD)
        mail = wait_until(lambda: firing_mail(stack, "WorkerDown", since_ns=quiet_since),
                          timeout=90, interval=1, message="the WorkerDown mail")  # fmt: skip
        assert mail["To"] == "staff@greengrocer.test"
        assert "Celery worker fast is down" in mail.get_body(("plain", "html")).get_content()
        assert [labels["node"] for labels in firing(stack, "WorkerDown")] == ["fast"]
        # The order's first step waits in `orders`, past its 5 s budget; bulk's would not.
        assert [labels["queue"] for labels in wait_firing(stack, "QueueWaitOverBudget")] == ["orders"]
        mail = wait_until(lambda: firing_mail(stack, "QueueWaitOverBudget", since_ns=quiet_since),
                          timeout=30, interval=1, message="the QueueWaitOverBudget mail")  # fmt: skip
        assert "Queue orders has waited" in mail.get_body(("plain", "html")).get_content()
        # The console lists both, with their summaries.
        staff_page.goto("/staff/monitoring/")
        listed = staff_page.locator('[data-alerts] li[data-state="firing"]')
        listed.nth(1).wait_for()
        text = staff_page.locator("[data-alerts]").inner_text()
        assert "Celery worker fast is down" in text and "Queue orders has waited" in text
        ARTIFACTS.mkdir(exist_ok=True)
        staff_page.screenshot(path=ARTIFACTS / "monitoring-worker-down.png", full_page=True)
    finally:
        stack.start_process("worker-fast")
        stack.wait_healthy()
    # The waiting order goes through once its worker is back, and both alerts resolve.
    wait_until(lambda: order_status(stack, shopper, order_id) == "completed", timeout=60,
               message="the waiting order completed")  # fmt: skip
    wait_resolved(stack)


def test_declined_cards_raise_the_workflow_failure_rate_until_its_window_passes(stack, quiet_since):
    shopper = api(stack, SHOPPER)
    # All at once, so they fail close together, well inside the window.
    order_ids = [place_order(stack, shopper, card=DECLINED_CARD) for _ in range(DECLINED_ORDERS)]
    wait_until(lambda: all(order_status(stack, shopper, order_id) == "failed" for order_id in order_ids),
               timeout=60, interval=0.5, message="the declined orders failed")  # fmt: skip
    assert [labels["kind"] for labels in wait_firing(stack, "WorkflowFailureRate")] == ["order"]
    mail = wait_until(lambda: firing_mail(stack, "WorkflowFailureRate", since_ns=quiet_since),
                      timeout=30, interval=1, message="the WorkflowFailureRate mail")  # fmt: skip
    assert "order workflows are failing" in mail.get_body(("plain", "html")).get_content()
    # Nothing to undo: the declines leave the 45 s window and the rate falls back.
    wait_resolved(stack)


def test_three_failed_supplier_syncs_raise_an_alert_until_one_succeeds(stack, quiet_since):
    staff = api(stack, STAFF)

    def sync_finished_as(status: str) -> None:
        response = staff.post(f"{stack.url}/api/sync-runs/", timeout=10)
        assert response.status_code == 202, response.text
        run_url = f"{stack.url}/api/sync-runs/{response.json()['id']}/"
        finished = wait_until(lambda: staff.get(run_url, timeout=10).json()["status"] not in ("pending", "running"),
                              timeout=60, interval=0.5, message="the sync run finished")  # fmt: skip
        assert finished and staff.get(run_url, timeout=10).json()["status"] == status

    # Page 1 served as truncated JSON: a permanent error, so each run fails at once.
    assert staff.post(f"{stack.url}/api/supplier/faults/", json={"malformed_pages": [1]}, timeout=10).ok
    try:
        for _ in range(3):
            sync_finished_as("failed")
        assert wait_firing(stack, "SupplierSyncFailing")
    finally:
        assert staff.post(f"{stack.url}/api/supplier/faults/", json={"reset": True}, timeout=10).ok
    sync_finished_as("succeeded")
    wait_until(lambda: query(stack, "greengrocer_sync_consecutive_failures == 0"), timeout=30, interval=1,
               message="no failed sync in a row")  # fmt: skip
    # Three failed sync Jobs and one success may also raise the sync kind's failure rate.
    wait_resolved(stack)


def test_a_stopped_beat_goes_silent_and_leaves_the_outbox_stuck_until_it_is_back(
    stack, staff_page, quiet_since
):
    staff = api(stack, STAFF)
    stack.stop_process("beat")
    try:
        # A process whose broker send failed moments ago leaves its Job in the outbox for
        # beat's sweeper (shop/platform/jobs/dispatch.py), as a web request during an outage does.
        output = stack.manage("shell", "-c", (
            "from shop.platform.jobs.dispatch import broker_breaker; from shop.platform.jobs.services import demo_job_start; "
            "broker_breaker.trip(); print(demo_job_start(owner=None, numbers=[1, 2], flaky_failures=0).id)"
        ))  # fmt: skip
        job_id = int(output.split()[-1])
        assert wait_firing(stack, "OutboxStuck")
        mail = wait_until(lambda: firing_mail(stack, "BeatSilent", since_ns=quiet_since),
                          timeout=90, interval=1, message="the BeatSilent mail")  # fmt: skip
        assert "Celery beat is silent" in mail.get_body(("plain", "html")).get_content()
        assert firing(stack, "BeatSilent") and firing(stack, "OutboxStuck")
        assert staff.get(f"{stack.url}/api/jobs/{job_id}/", timeout=10).json()["status"] == "pending"
        # After the other tests' traffic: the charts have points, and both alerts are listed.
        staff_page.goto("/staff/monitoring/")
        staff_page.locator('[data-alerts] li[data-state="firing"]').nth(1).wait_for()
        text = staff_page.locator("[data-alerts]").inner_text()
        assert "Celery beat is silent" in text and "The dispatch outbox is stuck" in text
        ARTIFACTS.mkdir(exist_ok=True)
        staff_page.screenshot(path=ARTIFACTS / "monitoring-beat-silent.png", full_page=True)
    finally:
        stack.start_process("beat")
    # Beat's first sweep sends the Job and records its run: both alerts resolve.
    wait_until(lambda: staff.get(f"{stack.url}/api/jobs/{job_id}/", timeout=10).json()["status"] == "succeeded",
               timeout=60, interval=1, message="the swept Job succeeded")  # fmt: skip
    wait_resolved(stack)


def test_a_stopped_web_is_shop_down_until_it_is_back(stack, quiet_since):
    stack.stop_process("web")
    try:
        assert [labels["job"] for labels in wait_firing(stack, "ShopDown")] == ["shop"]
    finally:
        stack.start_process("web")
        stack.wait_healthy()
    wait_resolved(stack)
