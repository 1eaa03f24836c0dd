"""A deploy: SIGTERM stops the workers while a campaign batch and an order step run.

Two workers take the work, as the Procfile's would: `fast` (orders, prefork) and `io`
(campaign batches on the bulk queue, threads). They run with REMAP_SIGTERM=SIGQUIT, as
compose.yaml and scripts/stack_env.sh start them, so SIGTERM is Celery's cold shutdown:
the soft shutdown wait (CELERY_SOFT_SHUTDOWN_TIMEOUT, 2 s here instead of production's 20 s),
then what still runs is cancelled. The order's charge is slow (PAYMENT_SLOW_SECONDS) and the
campaign trickles out (MAIL_SEND_RATE), so both outlast the wait: the prefork child is
killed mid-charge, the batch stops between two recipients (shop.platform.jobs.celery_compat), and both
messages go back to their queues when the stopping workers close their broker channel.

A second pair of workers on the same queues, started once the old ones have exited (as
compose replaces a service's containers in a deploy), resumes both within a minute: nothing waits for the visibility timeout (CELERY_VISIBILITY_TIMEOUT is
left at production's two hours). Nothing is doubled: one charge, one confirmation, every
campaign recipient mailed once.
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from notifications.campaigns import campaign_create, campaign_send_start
from notifications.models import Campaign, Delivery
from shop.orders.models import Order, Payment
from shop.platform.queues.selectors import queue_depths
from tests.factories import ProductFactory
from tests.harness.control import in_thread_worker_steps_aside
from tests.harness.jobs import wait_until
from tests.harness.processes import WorkerProcess, stack_env
from tests.notifications.helpers import customers_create
from tests.orders.conftest import CARD_SLOW

from .conftest import (
    captured_payments,
    checkout_over_http,
    copies_received,
    customer_session,
    gateway_captures,
    worker_processes,
)

pytestmark = pytest.mark.reliability

SOFT_SHUTDOWN_SECONDS = 2
CHARGE_SECONDS = 8  # the slow test card's gateway call: four times the soft shutdown
CAMPAIGN_CUSTOMERS = 40
MAIL_SEND_RATE = 4  # messages a second: the campaign's one batch takes about 10 s
RESUMED_WITHIN_SECONDS = 60


def _workers(generation: str, env: dict[str, str], tmp_path) -> list[WorkerProcess]:
    return [
        WorkerProcess(queues=["orders"], name=f"fast-{generation}", pool="prefork", concurrency=1,
                      env=env, log_path=tmp_path / f"fast-{generation}.log"),
        WorkerProcess(queues=["bulk"], name=f"io-{generation}", pool="threads", concurrency=2,
                      env=env, log_path=tmp_path / f"io-{generation}.log"),
    ]  # fmt: skip


def _sent() -> int:
    return Delivery.objects.filter(status=Delivery.Status.SENT).count()


def test_sigterm_during_a_deploy_requeues_the_running_batch_and_order_step_at_once(
    worker, mailbox, live_server, tmp_path
):
    env = stack_env(
        REMAP_SIGTERM="SIGQUIT",
        CELERY_SOFT_SHUTDOWN_TIMEOUT=str(SOFT_SHUTDOWN_SECONDS),
        PAYMENT_SLOW_SECONDS=str(CHARGE_SECONDS),
        MAIL_SEND_RATE=str(MAIL_SEND_RATE),
        MAIL_SEND_BURST="1",
    )
    product = ProductFactory(quantity=10)
    shopper = customer_session()
    customers_create(CAMPAIGN_CUSTOMERS, prefix="deploy")
    old, new = _workers("old", env, tmp_path), _workers("new", env, tmp_path)

    with in_thread_worker_steps_aside(worker, ["orders", "bulk"]), worker_processes(old):
        placed = checkout_over_http(shopper, live_server.url, [(product.id, 1)], card=CARD_SLOW)
        assert placed.status_code == 201, placed.text
        order = Order.objects.get(id=placed.json()["id"])
        campaign = campaign_create(name="Deploy day", subject="Fresh this week", body_text="Plums.")
        campaign_send_start(campaign_id=campaign.id)
        wait_until(
            lambda: (
                Payment.objects.filter(order=order, status=Payment.Status.PENDING).exists() and _sent() >= 2
            ),
            timeout=60,
            message="the charge and the campaign batch under way on the old workers",
        )
        stopped_at = time.monotonic()
        sent_before_sigterm = _sent()
        for process in old:
            os.kill(process.process.pid, signal.SIGTERM)  # what `docker compose stop` sends
        for process in old:
            process.process.wait(timeout=SOFT_SHUTDOWN_SECONDS + 20)
        old_stopped_in = time.monotonic() - stopped_at
        sent_by_old = _sent()
        charge_when_old_stopped = Payment.objects.get(order=order).status
        depths, unacked_when_old_stopped = queue_depths()
        waiting_when_old_stopped = {d.queue: d.total for d in depths if d.queue in ("orders", "bulk")}
        with worker_processes(new):  # then compose starts the new containers

            def finished() -> bool:
                campaign.refresh_from_db()
                order.refresh_from_db()
                return campaign.status == Campaign.Status.SENT and order.status == Order.Status.COMPLETED

            wait_until(
                finished, timeout=RESUMED_WITHIN_SECONDS, interval=0.5, message="both resumed and done"
            )
            finished_in = time.monotonic() - stopped_at

    recipients = list(Delivery.objects.filter(campaign=campaign).values_list("recipient_id", flat=True))
    campaign_mail = copies_received(mailbox, {r: f"campaign:{campaign.id}:user:{r}" for r in recipients})
    confirmation = copies_received(mailbox, {"confirmation": f"order:{order.number}:confirmation"})
    print(f"\nSIGTERM with {sent_before_sigterm} of {len(recipients)} campaign messages sent and the "
          f"charge under way: old workers exited in {old_stopped_in:.1f} s ({sent_by_old} sent by them), "
          f"batch and order finished on the new workers {finished_in:.1f} s after the SIGTERM")  # fmt: skip

    assert [process.process.returncode is not None for process in old] == [True, True]
    # Back in their queues, not held in the unacked hash until the visibility timeout.
    assert waiting_when_old_stopped == {"orders": 1, "bulk": 1} and unacked_when_old_stopped == 0
    assert "Unrecoverable error" not in (tmp_path / "io-old.log").read_text()  # celery/celery#10490
    assert charge_when_old_stopped == Payment.Status.PENDING  # the charge ran again, on the new worker
    assert 0 < sent_by_old < len(recipients)  # the batch was stopped part-way and resumed
    assert captured_payments([Order.objects.prefetch_related("payments").get(id=order.id)]) == {order.id: 1}
    assert gateway_captures() == 1
    assert confirmation == {"confirmation": 1}
    assert campaign.recipients_total == CAMPAIGN_CUSTOMERS + 1  # the shopper is a customer too
    assert campaign.sent_count == len(recipients) == campaign.recipients_total
    assert campaign_mail == {r: 1 for r in recipients}
    assert mailbox.count() == campaign.recipients_total + 1
