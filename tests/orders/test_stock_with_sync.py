"""A supplier sync while orders hold units: the count replaces the quantity on hand, the units
held stay held, and a cancel after the sync releases them without adding any the supplier
never had. Real worker, real supplier stub."""

from __future__ import annotations

import pytest

from catalog.models import Product
from shop.orders.models import Order
from shop.orders.services import MAX_QUANTITY
from tests.harness.control import in_thread_worker_steps_aside
from tests.harness.jobs import wait_for_job
from tests.sync.helpers import sync_run_to_end

from .conftest import checkout


@pytest.fixture
def fast_sync(settings, supplier_stub):
    settings.SUPPLIER_SYNC_PAGE_SIZE = 50
    settings.SUPPLIER_RATE_PER_SECOND = 200
    return supplier_stub


def stock_of(product_id: int) -> tuple[int, int, int]:
    return Product.objects.values_list("quantity", "allocated", "available").get(id=product_id)


def _figures(stub, version: int) -> dict[str, int]:
    stub.control(version=version)  # the stub serves only versions it has reached
    return {item["ref"]: item["stock"] for item in stub.catalog(version=version)}


def _moving_figures(stub) -> tuple[int, str, str, dict[str, int], dict[str, int]]:
    """A later version in which one product's figure falls and another's rises (both listed);
    the stub is left at version 0."""
    now = _figures(stub, 0)
    for version in range(1, 12):
        later = _figures(stub, version)
        stub.control(version=0)
        both = [ref for ref in now if ref in later and 4 <= now[ref] <= MAX_QUANTITY]
        falls = [ref for ref in both if 0 < later[ref] < now[ref]]
        rises = [ref for ref in both if later[ref] > now[ref]]
        if falls and rises:
            return version, falls[0], rises[0], now, later
    raise AssertionError("the stub's catalog moves no figure both ways within 11 versions")


def test_a_sync_keeps_the_units_open_orders_hold_and_a_cancel_after_it_adds_none(
    worker, mailbox, api, fast_sync
):
    version, falls, rises, now, later = _moving_figures(fast_sync)
    sync_run_to_end()
    falling, rising = (Product.objects.get(supplier_ref=ref).id for ref in (falls, rises))

    with in_thread_worker_steps_aside(worker, ["orders"]):  # the orders stay open meanwhile
        # The falling product is sold out to this order; the rising one half taken.
        placed = checkout(api, [(falling, now[falls]), (rising, now[rises] // 2)])
        assert placed.status_code == 201, placed.content
        assert stock_of(falling) == (now[falls], now[falls], 0)
        assert stock_of(rising) == (now[rises], now[rises] // 2, now[rises] - now[rises] // 2)

        fast_sync.control(version=version)
        sync_run_to_end()

        # The supplier's counts replace the quantity on hand; what the order holds is not for sale.
        assert stock_of(falling) == (later[falls], now[falls], 0)
        assert stock_of(rising) == (later[rises], now[rises] // 2, later[rises] - now[rises] // 2)
        refused = checkout(api, [(falling, 1)])
        assert refused.status_code == 409 and refused.json()["error"]["details"]["available"] == 0

        assert api.post(f"/api/orders/{placed.json()['id']}/cancel/").status_code == 200
        # Released, the units are what the supplier counted: not a unit more.
        assert stock_of(falling) == (later[falls], 0, later[falls])
        assert stock_of(rising) == (later[rises], 0, later[rises])

    # A completed order's units leave: on hand and held both drop by them, once.
    completed = checkout(api, [(rising, 2)]).json()
    wait_for_job(completed["job"]["id"])
    assert Order.objects.get(id=completed["id"]).status == Order.Status.COMPLETED
    assert stock_of(rising) == (later[rises] - 2, 0, later[rises] - 2)
    mailbox.wait_for(1)
