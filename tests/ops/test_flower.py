"""Flower as operators run it: basic auth, a URL prefix, persistent state, ids as task arguments.

Flower runs as a real subprocess against the test Redis and sees the real worker's events.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from kombu import Exchange, Queue
from rest_framework.test import APIClient

from devservers.payment_gateway import TEST_CARDS, TOKEN_SUCCEEDS
from shop.celery import MAX_BROKER_PRIORITY, app
from shop.orders.models import Order
from shop.platform.jobs.models import Job, JobStep
from shop.platform.jobs.tasks import demo_square
from tests.factories import ProductFactory, UserFactory
from tests.harness.jobs import wait_for_job, wait_until
from tests.harness.processes import ROOT, free_port, stack_env, wait_for_port

LOGIN = ("flower", uuid.uuid4().hex)
PREFIX = "flower"


class FlowerProcess:
    """`celery -A shop flower` configured through FLOWER_* variables, as scripts/stack_env.sh does."""

    def __init__(self, state_path) -> None:
        self.port = free_port()
        self.env = stack_env(
            FLOWER_PORT=str(self.port),
            FLOWER_ADDRESS="127.0.0.1",
            FLOWER_BASIC_AUTH=":".join(LOGIN),
            FLOWER_COOKIE_SECRET=uuid.uuid4().hex,
            FLOWER_PERSISTENT="True",
            FLOWER_DB=str(state_path),
            FLOWER_URL_PREFIX=PREFIX,
        )
        self.process: subprocess.Popen | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{PREFIX}/{path.lstrip('/')}"

    def start(self) -> FlowerProcess:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "shop", "flower"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port, timeout=30)
        return self

    def stop(self) -> None:
        """SIGTERM, as Docker and honcho stop it: Flower saves its state on the way out."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def tasks(self) -> dict[str, dict]:
        response = requests.get(self.url("api/tasks"), auth=LOGIN, timeout=5)
        response.raise_for_status()
        return response.json()


@pytest.fixture
def flower(tmp_path):
    process = FlowerProcess(tmp_path / "flower.db").start()
    yield process
    process.stop()


def test_flower_requires_basic_auth_and_lists_the_tasks_of_a_finished_order(
    worker, mailbox, flower, tmp_path
):
    assert requests.get(flower.url("api/tasks"), timeout=5).status_code == 401
    assert requests.get(flower.url("api/tasks"), auth=("flower", "wrong"), timeout=5).status_code == 401
    assert requests.get(flower.url("healthcheck"), timeout=5).text == "OK"  # for container healthchecks
    # Workers send no task events by configuration: Flower switches them on by itself
    # (`enable_events`, broadcast at start and every few seconds). It hears them only once
    # its receiver is connected: wait for a probe task.
    assert not app.conf.worker_send_task_events
    wait_until(
        lambda: demo_square.delay(number=7) and any(t["name"] == demo_square.name for t in flower.tasks().values()),
        timeout=30, interval=0.5, message="Flower sees task events",
    )  # fmt: skip

    shopper = APIClient()
    shopper.force_authenticate(UserFactory())
    card = next(number for number, token in TEST_CARDS.items() if token == TOKEN_SUCCEEDS)
    apples = ProductFactory(name="Apples", price="2.50", quantity=5)
    response = shopper.post("/api/orders/", {"lines": [{"product": apples.id, "quantity": 2}], "express": False,
                                             "card_number": card}, format="json")  # fmt: skip
    assert response.status_code == 201, response.content
    order = Order.objects.get(id=response.json()["id"])
    job = wait_for_job(order.job_id)
    assert job.status == Job.Status.SUCCEEDED
    steps = {
        s.task_id: s for s in job.steps.filter(state=JobStep.State.SUCCESS)
    }  # not error handlers that never ran
    assert len(steps) >= 4

    def flower_has_every_step() -> dict | None:
        tasks = flower.tasks()
        done = all(tasks.get(task_id, {}).get("state") == "SUCCESS" for task_id in steps)
        return tasks if done else None

    tasks = wait_until(flower_has_every_step, timeout=20, interval=0.5, message="Flower lists the order")
    for task_id, step in steps.items():
        assert tasks[task_id]["name"] == step.task_name
    # Arguments are ids and plain values: readable as they are in Flower's task views.
    charge = next(s for s in steps.values() if s.name == "charge_payment")
    assert f"'order_id': {order.id}" in tasks[charge.task_id]["kwargs"], tasks[charge.task_id]["kwargs"]

    # Persistent state: a restarted Flower still knows the finished workflow.
    flower.stop()
    restarted = FlowerProcess(tmp_path / "flower.db").start()
    try:
        assert set(steps) <= set(restarted.tasks())
    finally:
        restarted.stop()


def _run_in_own_event_loop(coroutine):
    """asyncio.run in a fresh thread: Playwright's sync API (the e2e tests) keeps an event
    loop running in the main thread for the rest of the session."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coroutine).result()


def test_flowers_broker_view_counts_every_redis_priority_sub_queue(redis_server):
    """kombu keeps one Redis list per priority; Flower 2.2 sums the lists named by the app's
    priority_steps, so with all ten steps configured no message is missing from its count."""
    from flower.utils.broker import Broker

    queue = Queue(f"ops-visibility-{uuid.uuid4().hex[:8]}", Exchange("ops-visibility"), routing_key="ops")
    with app.connection_for_write() as connection:
        producer = connection.Producer()
        for priority in range(MAX_BROKER_PRIORITY + 1):
            producer.publish({"n": priority}, exchange=queue.exchange, routing_key="ops", declare=[queue],
                             priority=priority, serializer="json")  # fmt: skip
        client = connection.default_channel.client
        assert len([k for k in client.keys(f"{queue.name}*")]) == MAX_BROKER_PRIORITY + 1
        try:
            broker = Broker(app.connection().as_uri(include_password=True),
                            broker_options=app.conf.broker_transport_options)  # fmt: skip
            (view,) = _run_in_own_event_loop(broker.queues([queue.name]))
            assert view == {"name": queue.name, "messages": MAX_BROKER_PRIORITY + 1}
            # Flower's own default steps (0, 3, 6, 9) would hide six of them.
            (coarse,) = _run_in_own_event_loop(
                Broker(app.connection().as_uri(include_password=True)).queues([queue.name])
            )
            assert coarse["messages"] == 4
        finally:
            client.delete(*client.keys(f"{queue.name}*"))
