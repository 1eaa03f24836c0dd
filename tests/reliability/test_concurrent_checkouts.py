"""100 shoppers check out the last 10 units at the same moment, over real HTTP."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from catalog.models import Product
from shop.orders.models import Order
from tests.factories import ProductFactory
from tests.harness.jobs import wait_for_job

from .conftest import checkout_over_http, customer_session

pytestmark = pytest.mark.reliability

SHOPPERS = 100
UNITS = 10


def test_a_hundred_concurrent_checkouts_for_ten_units_make_exactly_ten_orders(worker, mailbox, live_server):
    product = ProductFactory(quantity=UNITS)
    sessions = [customer_session() for _ in range(SHOPPERS)]
    start = threading.Barrier(SHOPPERS)
    buying = threading.Event()
    stock_seen: list[int] = []
    resets: list[str] = []

    def watch_stock() -> None:
        while buying.is_set():
            stock_seen.append(Product.objects.values_list("available", flat=True).get(id=product.id))

    def buy(session) -> int:
        # The test server's listen backlog is small: a connection it resets is retried the way
        # a careful client retries, with the same Idempotency-Key, so it can never order twice.
        key = uuid.uuid4().hex
        start.wait()
        for _ in range(5):
            try:
                return checkout_over_http(session, live_server.url, [(product.id, 1)], key=key).status_code
            except requests.ConnectionError:
                resets.append(key)
                time.sleep(0.2)
        raise AssertionError("five connection resets in a row")

    buying.set()
    watcher = threading.Thread(target=watch_stock)
    watcher.start()
    try:
        with ThreadPoolExecutor(SHOPPERS) as pool:
            statuses = sorted(pool.map(buy, sessions))
    finally:
        buying.clear()
        watcher.join()

    orders = list(Order.objects.all())
    for order in orders:
        wait_for_job(order.job_id, timeout=120)
    print(f"\n{SHOPPERS} concurrent checkouts for {UNITS} units: {statuses.count(201)} × 201, "
          f"{statuses.count(409)} × 409, {len(orders)} orders, lowest stock seen {min(stock_seen)} "
          f"in {len(stock_seen)} samples, {len(resets)} connections reset and retried")  # fmt: skip
    assert statuses == [201] * UNITS + [409] * (SHOPPERS - UNITS)
    assert len(orders) == UNITS
    assert min(stock_seen) >= 0
    assert Product.objects.get(id=product.id).available == 0
    assert {order.status for order in Order.objects.all()} == {Order.Status.COMPLETED}
    mailbox.wait_for(UNITS)
