"""/metrics: only Prometheus's bearer token gets in, and what it reads is true and bounded."""

from __future__ import annotations

import pytest
from django.test import Client
from django.test.utils import override_settings

from shop.celery import QUEUE_NAMES, Priority, app, broker_priority
from shop.platform.jobs.models import Job
from shop.platform.queues.selectors import queue_depths
from tests.factories import UserFactory
from tests.harness.control import in_thread_worker_steps_aside

from .scrape import samples, value

TOKEN = "test-metrics-token"


def scrape(client: Client) -> str:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.content
    return response.content.decode()


@pytest.fixture(autouse=True)
def _token(settings):
    settings.METRICS_TOKEN = TOKEN


@pytest.mark.django_db
@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}", "Bearer "])
def test_metrics_refuse_requests_without_the_bearer_token(client, authorization):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = client.get("/metrics", **headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert b"greengrocer_" not in response.content


@pytest.mark.django_db
def test_metrics_refuse_a_logged_in_customer(client):
    client.force_login(UserFactory())
    assert client.get("/metrics").status_code == 401


@pytest.mark.django_db
def test_metrics_are_closed_when_no_token_is_configured(client):
    with override_settings(METRICS_TOKEN=""):
        assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 401


def test_queue_gauges_read_the_broker_like_the_staff_console(worker, client):
    # The session's in-thread worker consumes every queue: it steps aside from `orders`, so
    # the messages stay where the scrape and the console read them.
    with in_thread_worker_steps_aside(worker, ["orders"]):
        with app.producer_or_acquire() as producer:
            for priority, count in ((Priority.CRITICAL, 2), (Priority.BULK, 3)):
                for n in range(count):
                    app.send_task(
                        "jobs.demo_square", kwargs={"number": n}, queue="orders",
                        priority=broker_priority(priority), producer=producer,
                    )  # fmt: skip
        text = scrape(client)
        depths, unacked = queue_depths()
        for depth in depths:
            for priority, count in depth.by_priority.items():
                assert (
                    value(text, "greengrocer_queue_messages", queue=depth.queue, priority=priority) == count
                )
        assert value(text, "greengrocer_queue_messages", queue="orders", priority="critical") == 2
        assert value(text, "greengrocer_queue_messages", queue="orders", priority="bulk") == 3
        assert value(text, "greengrocer_queue_unacked") == unacked
        assert value(text, "greengrocer_queue_oldest_message_age_seconds", queue="orders") > 0
        assert value(text, "greengrocer_queue_oldest_message_age_seconds", queue="mail") == 0
        assert value(text, "greengrocer_metrics_source_up", source="broker") == 1


@pytest.mark.django_db
def test_a_broker_that_is_down_marks_its_source_down_and_the_rest_still_answers(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    text = scrape(client)
    assert value(text, "greengrocer_metrics_source_up", source="broker") == 0
    assert value(text, "greengrocer_metrics_source_up", source="outbox") == 1


@pytest.mark.django_db
def test_queue_wait_budgets_take_the_environments_overrides(client, settings):
    assert value(scrape(client), "greengrocer_queue_wait_budget_seconds", queue="orders") == 30
    settings.QUEUE_WAIT_BUDGET_OVERRIDES = {"orders": "5"}
    text = scrape(client)
    assert value(text, "greengrocer_queue_wait_budget_seconds", queue="orders") == 5
    assert value(text, "greengrocer_queue_wait_budget_seconds", queue="bulk") == 3600
    # A queue that does not exist is a mistake to see, not a budget to export.
    settings.QUEUE_WAIT_BUDGET_OVERRIDES = {"order": "5"}
    assert value(scrape(client), "greengrocer_metrics_source_up", source="budgets") == 0


@pytest.mark.django_db
def test_outbox_and_workflow_gauges_follow_the_jobs_table(client):
    Job.objects.create(kind="checkout", subject="order:1", status=Job.Status.SUCCEEDED,
                       dispatch_state=Job.DispatchState.DISPATCHED)  # fmt: skip
    Job.objects.create(kind="checkout", subject="order:2", status=Job.Status.FAILED,
                       dispatch_state=Job.DispatchState.DISPATCHED)  # fmt: skip
    Job.objects.create(kind="report", subject="report:1")  # pending in the outbox
    text = scrape(client)
    assert value(text, "greengrocer_workflows", kind="checkout", status="succeeded") == 1
    assert value(text, "greengrocer_workflows", kind="checkout", status="failed") == 1
    # A kind that never failed still has its failed series, at 0 (WorkflowFailureRate's delta).
    assert samples(text)[("greengrocer_workflows", (("kind", "report"), ("status", "failed")))] == 0
    assert value(text, "greengrocer_outbox_pending") == 1
    assert value(text, "greengrocer_outbox_oldest_age_seconds") >= 0


@pytest.mark.django_db
def test_web_requests_are_counted_by_route_pattern_never_by_path(client):
    client.get("/products/4101/")
    client.get("/products/4102/")
    text = scrape(client)
    assert (
        value(text, "greengrocer_http_requests_total", route="/products/<int:product_id>/", method="GET") >= 2
    )
    assert not [key for key in samples(text) if "4101" in str(key)]


@pytest.mark.django_db
def test_a_thousand_orders_and_their_pages_add_no_series(client):
    """Bounded cardinality: ids never become label values, however many there are."""
    client.get("/api/orders/1/")
    client.get("/orders/1/")
    Job.objects.create(kind="checkout", subject="order:1")
    before = samples(scrape(client))
    Job.objects.bulk_create(Job(kind="checkout", subject=f"order:{n}") for n in range(2, 1002))
    for n in range(2, 1002):
        client.get(f"/api/orders/{n}/")
        client.get(f"/orders/{n}/")
    after = samples(scrape(client))
    new_series = {key for key in after if key not in before}
    # The only newcomers may be histogram buckets or statuses of the same routes, never per id.
    assert len(new_series) < 30, sorted(new_series)[:40]
    assert not [key for key in new_series if any(str(n) in str(key) for n in (777, 999, 1001))]


def test_every_queue_and_priority_has_a_depth_series(client, db, redis_server):
    text = scrape(client)
    for queue in QUEUE_NAMES:
        for priority in Priority:
            assert (
                "greengrocer_queue_messages",
                (("priority", priority.value), ("queue", queue)),
            ) in samples(text)
