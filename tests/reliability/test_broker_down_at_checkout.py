"""With Redis stopped, checkout still answers 201; once Redis is back, beat's outbox sweeper
sends the waiting workflows and every order completes."""

from __future__ import annotations

import pytest

from catalog.models import Product
from shop.orders.models import Order, Payment
from shop.platform.jobs.models import Job
from tests.factories import ProductFactory
from tests.harness.beat import BeatProcess
from tests.harness.jobs import wait_for_job

from .conftest import checkout_over_http, customer_session

pytestmark = pytest.mark.reliability

ORDERS = 10
STOCK = 50


def test_checkout_answers_201_while_redis_is_down_and_the_orders_complete_after(
    worker, mailbox, live_server, redis_server, tmp_path
):
    product = ProductFactory(quantity=STOCK)
    shoppers = [customer_session() for _ in range(ORDERS)]

    redis_server.stop()
    try:
        responses = [checkout_over_http(shopper, live_server.url, [(product.id, 2)]) for shopper in shoppers]
        assert [r.status_code for r in responses] == [201] * ORDERS, responses[0].text
        order_ids = [r.json()["id"] for r in responses]
        seen_by_shopper = shoppers[0].get(f"{live_server.url}/api/orders/{order_ids[0]}/", timeout=30)
        assert seen_by_shopper.status_code == 200
        assert seen_by_shopper.json()["status"] == Order.Status.PLACED
        waiting = Job.objects.filter(dispatch_state=Job.DispatchState.PENDING).count()
    finally:
        redis_server.start()

    with BeatProcess(tmp_path):
        for order in Order.objects.all():
            wait_for_job(order.job_id, timeout=120)
    mailbox.wait_for(ORDERS)

    print(f"\nbroker down at checkout: {ORDERS} × 201 while Redis was stopped, {waiting} jobs waited "
          f"in the outbox, {Order.objects.filter(status='completed').count()} completed after the sweep, "
          f"{mailbox.count()} confirmations")  # fmt: skip
    assert waiting == ORDERS
    assert sorted(Order.objects.values_list("id", flat=True)) == sorted(order_ids)
    assert set(Order.objects.values_list("status", flat=True)) == {Order.Status.COMPLETED}
    assert Payment.objects.filter(status=Payment.Status.CAPTURED).count() == ORDERS
    assert sorted(mailbox.recipients().values()) == [1] * ORDERS
    assert Product.objects.get(id=product.id).available == STOCK - 2 * ORDERS
