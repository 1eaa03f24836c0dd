"""The broker restarts (AOF on) while orders are placed and a campaign is being sent.

Two prefork worker subprocesses take the work, as the Procfile's workers would: `fast`
(orders and mail) and `bulk` (campaign batches). Shoppers place orders over HTTP while a
staff member sends a campaign over HTTP; with both in flight the session's Redis is
stopped for DOWN_SECONDS and started again on the same port from its append-only file.

Nothing Redis had stored is lost (AOF, fsync always), but what was in flight is: a
message popped and not yet recorded as unacked, a task that finished while it could not
publish its successor or count its chord part, results and progress it could not store.
Orders placed meanwhile wait in the outbox. The shop's own recovery brings everything to
its end: the outbox sweeper and the stalled-workflow sweepers of orders and campaigns,
run as beat would run them (conftest.sweep_until_settled), and a supervisor that starts
again any worker process that exits (compose's `restart:` does that in production).

At the end: every order completed, with one captured charge and one confirmation each;
every campaign recipient received the campaign exactly once and every Delivery is sent;
stock adds up exactly.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from catalog.models import Product
from notifications.campaigns import stalled_campaigns_redispatch
from notifications.models import Campaign, Delivery
from shop.orders.models import Order
from shop.orders.services import stalled_orders_redispatch
from shop.platform.jobs.dispatch import pending_dispatches_sweep
from tests.factories import ProductFactory, StaffFactory
from tests.harness.control import in_thread_worker_steps_aside
from tests.harness.jobs import wait_until
from tests.harness.processes import WorkerProcess, stack_env
from tests.notifications.helpers import customers_create

from .conftest import (
    captured_payments,
    checkout_over_http,
    copies_received,
    customer_session,
    gateway_captures,
    sweep_until_settled,
    token_session,
    unfinished_orders,
    units_sold,
    worker_processes,
)

pytestmark = pytest.mark.reliability

ORDERS = 40
CAMPAIGN_CUSTOMERS = 300
BATCH_SIZE = 50
# Slow enough that the campaign (~350 messages with the confirmations) spans the restart.
MAIL_SEND_RATE = 30
DOWN_SECONDS = 3
STOCK = 500
QUEUES = {"fast": ["orders", "mail"], "bulk": ["bulk"]}


class Supervisor(threading.Thread):
    """Starts again any worker whose process exited, as compose's `restart:` would."""

    def __init__(self, workers: list[WorkerProcess]) -> None:
        super().__init__(daemon=True)
        self.workers = workers
        self.stopping = threading.Event()
        self.restarts: Counter[str] = Counter()

    def run(self) -> None:
        while not self.stopping.wait(0.5):
            for worker in self.workers:
                if worker.process.poll() is not None:
                    self.restarts[f"{worker.name} (exit {worker.process.returncode})"] += 1
                    worker.start(wait=False)

    def stop(self) -> None:
        self.stopping.set()
        self.join()


def _unfinished_campaigns() -> str:
    return "; ".join(
        f"campaign {c.id} {c.status} job={c.job.status}/{c.job.dispatch_state}, deliveries "
        f"{dict(Counter(Delivery.objects.filter(campaign=c).values_list('status', flat=True)))}"
        for c in Campaign.objects.exclude(status__in=[Campaign.Status.SENT, Campaign.Status.FAILED])
        .select_related("job")
    )  # fmt: skip


class Recovery:
    """What beat runs, told that quiet for 0 s is quiet enough; counts what each sent."""

    def __init__(self) -> None:
        self.sent: Counter[str] = Counter()

    def __call__(self) -> int:
        # Stalled workflows first: the outbox sweep's own sends are not stalled, only new.
        sent = {
            "stalled orders": stalled_orders_redispatch(older_than=timedelta(0)),
            "stalled campaigns": stalled_campaigns_redispatch(older_than=timedelta(0)),
            "outbox": pending_dispatches_sweep(older_than=timedelta(0)),
        }
        self.sent.update(sent)
        return sum(sent.values())


def test_nothing_is_lost_or_doubled_when_redis_restarts_under_orders_and_a_campaign(
    worker, mailbox, live_server, redis_server, settings, tmp_path
):
    settings.MAIL_CAMPAIGN_BATCH_SIZE = BATCH_SIZE  # the web process splits the audience
    products = [ProductFactory(quantity=STOCK) for _ in range(4)]
    shoppers = [customer_session() for _ in range(ORDERS)]
    customers_create(CAMPAIGN_CUSTOMERS, prefix="campaign")
    staff = token_session(StaffFactory(password=None))
    env = stack_env(CELERY_VISIBILITY_TIMEOUT="10", MAIL_SEND_RATE=str(MAIL_SEND_RATE))
    workers = [
        WorkerProcess(queues=queues, name=name, env=env, log_path=tmp_path / f"{name}.log")
        for name, queues in QUEUES.items()
    ]

    def place(index: int) -> int:
        lines = [(products[index % len(products)].id, 1 + index % 3)]
        response = checkout_over_http(shoppers[index], live_server.url, lines)
        assert response.status_code == 201, response.text
        time.sleep(0.5)  # a steady trickle that spans the restart
        return response.json()["id"]

    with in_thread_worker_steps_aside(worker, ["orders", "mail", "bulk"]), worker_processes(workers):
        supervisor = Supervisor(workers)
        supervisor.start()
        try:
            started = time.monotonic()
            with ThreadPoolExecutor(2) as pool:
                placing = pool.map(place, range(ORDERS))
                created = staff.post(f"{live_server.url}/api/campaigns/", timeout=30, json={
                    "name": "Autumn", "subject": "Fresh this week", "body_text": "Pumpkins are in."})  # fmt: skip
                campaign_id = created.json()["id"]
                sending = staff.post(f"{live_server.url}/api/campaigns/{campaign_id}/send/", timeout=30)
                assert sending.status_code == 202, sending.text
                wait_until(
                    lambda: Delivery.objects.filter(status=Delivery.Status.SENT).count() >= BATCH_SIZE,
                    timeout=60,
                    message="the campaign under way",
                )
                orders_before_restart = Order.objects.count()
                sent_before_restart = Delivery.objects.filter(status=Delivery.Status.SENT).count()
                redis_server.restart(down_for=DOWN_SECONDS)
                order_ids = list(placing)
            recovery = Recovery()
            sweep_until_settled(recovery, lambda: unfinished_orders() + _unfinished_campaigns())
            all_final_in = time.monotonic() - started
        finally:
            supervisor.stop()

    orders = list(Order.objects.prefetch_related("lines", "payments"))
    campaign = Campaign.objects.get(id=campaign_id)
    deliveries = Counter(Delivery.objects.filter(campaign=campaign).values_list("status", flat=True))
    confirmations = copies_received(mailbox, {o.id: f"order:{o.number}:confirmation" for o in orders})
    recipients = Delivery.objects.filter(campaign=campaign).values_list("recipient_id", flat=True)
    campaign_mail = copies_received(mailbox, {r: f"campaign:{campaign.id}:user:{r}" for r in recipients})
    captured = captured_payments(orders)
    sold = units_sold(orders)
    lost = sum(1 for o in orders if o.status != Order.Status.COMPLETED) + sum(
        1 for n in campaign_mail.values() if n == 0
    )
    doubled = sum(n - 1 for n in captured.values()) + sum(
        n - 1 for n in [*confirmations.values(), *campaign_mail.values()] if n > 1
    )
    restarts = ", ".join(f"{n}× {name}" for name, n in supervisor.restarts.items()) or "none"
    swept = ", ".join(f"{n} {name}" for name, n in recovery.sent.items())
    print(f"\nRedis down {DOWN_SECONDS} s: {ORDERS} orders ({orders_before_restart} placed before the "
          f"restart), 1 campaign of {campaign.recipients_total} ({sent_before_restart} sent before it); "
          f"{lost} lost, {doubled} doubled; workflows sent by the sweepers: {swept}; "
          f"worker restarts: {restarts}; {mailbox.count()} messages in the sink; all final "
          f"{all_final_in:.0f} s after the first order")  # fmt: skip

    assert sorted(o.id for o in orders) == sorted(order_ids)
    assert {o.status for o in orders} == {Order.Status.COMPLETED}
    assert captured == {o.id: 1 for o in orders}
    assert gateway_captures() == ORDERS
    assert confirmations == {o.id: 1 for o in orders}
    assert campaign.status == Campaign.Status.SENT
    assert campaign.recipients_total == CAMPAIGN_CUSTOMERS + ORDERS
    assert deliveries == {Delivery.Status.SENT: campaign.recipients_total}
    assert campaign.sent_count == campaign.recipients_total
    assert campaign_mail == {r: 1 for r in recipients}
    assert mailbox.count() == ORDERS + campaign.recipients_total
    assert {p.id: (p.quantity, p.allocated, p.available) for p in Product.objects.all()} == {
        p.id: (STOCK - sold[p.id], 0, STOCK - sold[p.id]) for p in products
    }
