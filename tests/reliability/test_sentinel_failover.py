"""The Redis master is SIGKILLed while orders and a campaign are in flight (REDIS_SENTINELS).

A master, a replica and three Sentinels (tests/harness/sentinel.py); the web (the live
server), the test's own sweeps and two worker subprocesses all reach Redis through the
Sentinels. Sentinel promotes the replica within seconds and every client finds the new
master by itself. Replication is asynchronous, so what the old master had not yet passed
on (a queued message, an ack, a chord counter) can vanish: the outbox and the stalled-
workflow sweepers (run here as beat would) make the shop whole. Checkout answers 201, or
503 with Retry-After, never 500; every order ends completed, each charged and confirmed
once, and every campaign recipient gets one copy.
"""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest

from notifications.models import Campaign, Delivery
from shop.celery import app
from shop.orders.models import Order
from shop.platform.coordination import redis_connect
from shop.platform.jobs.celery_compat import broker_pool_reset
from tests.conftest import _point_at_redis
from tests.factories import ProductFactory, StaffFactory
from tests.harness.jobs import wait_until
from tests.harness.processes import WorkerProcess, stack_env
from tests.harness.sentinel import MASTER_NAME, SentinelSet
from tests.notifications.helpers import customers_create

from .conftest import (
    captured_payments,
    checkout_over_http,
    copies_received,
    customer_session,
    sweep_until_settled,
    token_session,
    unfinished_orders,
    worker_processes,
)
from .test_redis_restart import Recovery, _unfinished_campaigns

pytestmark = pytest.mark.reliability

ORDERS = 30
CAMPAIGN_CUSTOMERS = 120
BATCH_SIZE = 20


@contextmanager
def shop_on_sentinels(settings, sentinels: SentinelSet, redis_url: str):
    """This process's broker, results and locks through the Sentinels, as REDIS_SENTINELS does."""
    settings.REDIS_SENTINELS = sentinels.addresses.split(",")
    settings.REDIS_SENTINEL_MASTER = MASTER_NAME
    urls = ";".join(f"sentinel://{address}" for address in settings.REDIS_SENTINELS)
    options = {
        "master_name": MASTER_NAME,
        "sentinel_kwargs": {"socket_timeout": 1, "socket_connect_timeout": 1},
    }
    saved = (app.conf.broker_transport_options, app.conf.result_backend_transport_options)
    settings.CELERY_BROKER_URL = urls.replace(";", "/0;") + "/0"
    settings.CELERY_RESULT_BACKEND = (
        "shop.platform.result_backend:SentinelResultBackend+" + urls.replace(";", "/1;") + "/1"
    )
    app.conf.update(broker_transport_options={**saved[0], **options},
                    result_backend_transport_options={**saved[1], **options})  # fmt: skip
    _point_at_redis_urls(settings.CELERY_BROKER_URL, settings.CELERY_RESULT_BACKEND)
    try:
        yield
    finally:
        app.conf.update(broker_transport_options=saved[0], result_backend_transport_options=saved[1])
        settings.REDIS_SENTINELS = []
        _point_at_redis(redis_url)


def _point_at_redis_urls(broker_url: str, result_backend: str) -> None:
    app.conf.update(broker_url=broker_url, result_backend=result_backend)
    broker_pool_reset(app)


def test_nothing_is_lost_or_doubled_when_the_redis_master_is_killed_and_sentinel_fails_over(
    transactional_db, mailbox, live_server, redis_server, settings, tmp_path
):
    sentinels = SentinelSet(tmp_path / "redis").start()
    settings.MAIL_CAMPAIGN_BATCH_SIZE = BATCH_SIZE
    products = [ProductFactory(quantity=500) for _ in range(3)]
    shoppers = [customer_session() for _ in range(ORDERS)]
    customers_create(CAMPAIGN_CUSTOMERS, prefix="campaign")
    staff = token_session(StaffFactory(password=None))
    env = stack_env(REDIS_SENTINELS=sentinels.addresses, REDIS_SENTINEL_MASTER=MASTER_NAME,
                    CELERY_VISIBILITY_TIMEOUT="10", MAIL_SEND_RATE="30")  # fmt: skip
    workers = [
        WorkerProcess(queues=["orders", "mail"], name="fast", env=env, log_path=tmp_path / "fast.log"),
        WorkerProcess(queues=["bulk"], name="bulk", pool="threads", env=env, log_path=tmp_path / "bulk.log"),
    ]
    answers: Counter[str] = Counter()

    def place(index: int) -> int | None:
        response = checkout_over_http(shoppers[index], live_server.url, [(products[index % 3].id, 1)])
        answers[str(response.status_code)] += 1
        assert response.status_code in (201, 503), response.text
        if response.status_code == 503:
            assert response.headers.get("Retry-After"), response.headers
            return None
        time.sleep(0.3)  # a trickle that spans the failover
        return response.json()["id"]

    try:
        with shop_on_sentinels(settings, sentinels, redis_server.url), worker_processes(workers):
            with ThreadPoolExecutor(2) as pool:
                placing = pool.map(place, range(ORDERS))
                campaign_id = staff.post(f"{live_server.url}/api/campaigns/", timeout=30, json={
                    "name": "Autumn", "subject": "Fresh this week", "body_text": "Pumpkins are in."}).json()["id"]  # fmt: skip
                assert (
                    staff.post(f"{live_server.url}/api/campaigns/{campaign_id}/send/", timeout=30).status_code
                    == 202
                )
                wait_until(lambda: Delivery.objects.filter(status=Delivery.Status.SENT).count() >= BATCH_SIZE,
                           timeout=60, message="the campaign under way")  # fmt: skip
                old_master = sentinels.master.port
                killed_at = time.monotonic()
                sentinels.master.process.kill()  # SIGKILL: no shutdown, no last write
                wait_until(lambda: _master_port(sentinels) not in (None, old_master), timeout=60, interval=0.2,
                           message="a replica promoted")  # fmt: skip
                promoted_in = time.monotonic() - killed_at
                order_ids = [order_id for order_id in placing if order_id]
            recovery = Recovery()
            sweep_until_settled(recovery, lambda: unfinished_orders() + _unfinished_campaigns(), timeout=180)
            settled_in = time.monotonic() - killed_at
    finally:
        sentinels.stop()

    orders = list(Order.objects.prefetch_related("payments"))
    campaign = Campaign.objects.get(id=campaign_id)
    recipients = list(Delivery.objects.filter(campaign=campaign).values_list("recipient_id", flat=True))
    confirmations = copies_received(mailbox, {o.id: f"order:{o.number}:confirmation" for o in orders})
    campaign_mail = copies_received(mailbox, {r: f"campaign:{campaign.id}:user:{r}" for r in recipients})
    captured = captured_payments(orders)
    print(f"\nmaster SIGKILLed: replica promoted {promoted_in:.1f} s later, everything final "
          f"{settled_in:.0f} s after the kill; checkout answers {dict(answers)}; "
          f"sweepers sent {dict(recovery.sent)}")  # fmt: skip

    assert sorted(o.id for o in orders) == sorted(order_ids)
    assert {o.status for o in orders} == {Order.Status.COMPLETED}
    assert captured == {o.id: 1 for o in orders}
    assert confirmations == {o.id: 1 for o in orders}
    assert campaign.status == Campaign.Status.SENT
    assert campaign_mail == {r: 1 for r in recipients}


def _master_port(sentinels: SentinelSet) -> int | None:
    try:
        return redis_connect(url="", db=0, timeout=1, fail_fast=True).connection_pool.get_master_address()[1]
    except Exception:
        return None
