"""Concurrent checkouts over real HTTP never oversell."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests
from rest_framework.authtoken.models import Token

from catalog.models import Product
from shop.orders.models import Order
from tests.factories import ProductFactory, UserFactory
from tests.harness.jobs import wait_for_job

from .conftest import CARD_SUCCEEDS

CHECKOUTS = 20
STOCK = 5


def test_twenty_concurrent_checkouts_for_five_units_make_exactly_five_orders(worker, mailbox, live_server):
    product = ProductFactory(quantity=STOCK)
    tokens = [Token.objects.create(user=UserFactory()).key for _ in range(CHECKOUTS)]
    start = threading.Barrier(CHECKOUTS)

    def buy(token: str) -> int:
        start.wait()
        response = requests.post(
            f"{live_server.url}/api/orders/",
            json={"lines": [{"product": product.id, "quantity": 1}], "card_number": CARD_SUCCEEDS},
            headers={"Authorization": f"Token {token}"},
            timeout=60,
        )
        return response.status_code

    with ThreadPoolExecutor(CHECKOUTS) as pool:
        statuses = sorted(pool.map(buy, tokens))

    assert statuses == [201] * STOCK + [409] * (CHECKOUTS - STOCK)
    assert Product.objects.get(id=product.id).available == 0
    assert Order.objects.count() == STOCK
    for order in Order.objects.all():
        wait_for_job(order.job_id)
    assert set(Order.objects.values_list("status", flat=True)) == {Order.Status.COMPLETED}
    mailbox.wait_for(STOCK)
