"""Stock: the quantity on hand is counted, open orders hold allocations, the shop sells the rest."""

from __future__ import annotations

import pytest

from catalog.models import Product, StockAllocation
from catalog.services import (
    StockLine,
    StockShort,
    stock_allocate,
    stock_deallocate,
    stock_fulfil,
    stock_set_quantity,
)
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def stock_of(product: Product) -> tuple[int, int, int]:
    product.refresh_from_db()
    return product.quantity, product.allocated, product.available


def test_an_allocation_holds_units_and_a_short_line_holds_nothing_at_all():
    apples, pears = ProductFactory(quantity=10), ProductFactory(quantity=3)

    stock_allocate(holder="order:1", lines=[StockLine(product_id=apples.id, quantity=4)])
    with pytest.raises(StockShort) as short:
        stock_allocate(
            holder="order:2",
            lines=[StockLine(product_id=apples.id, quantity=2), StockLine(product_id=pears.id, quantity=4)],
        )

    assert (short.value.line.product_id, short.value.available) == (pears.id, 3)
    assert stock_of(apples) == (10, 4, 6)
    assert stock_of(pears) == (3, 0, 3)
    assert list(StockAllocation.objects.values_list("holder", "quantity")) == [("order:1", 4)]


def test_an_inactive_product_cannot_be_allocated():
    product = ProductFactory(quantity=10, is_active=False)

    with pytest.raises(StockShort):
        stock_allocate(holder="order:1", lines=[StockLine(product_id=product.id, quantity=1)])
    assert stock_of(product) == (10, 0, 10)


def test_a_count_replaces_the_quantity_and_keeps_what_orders_hold():
    product = ProductFactory(quantity=10)
    stock_allocate(holder="order:1", lines=[StockLine(product_id=product.id, quantity=4)])

    stock_set_quantity(quantities={product.id: 25})
    assert stock_of(product) == (25, 4, 21)

    # The supplier now has fewer than the open order holds: nothing is for sale, the order keeps its units.
    stock_set_quantity(quantities={product.id: 3})
    assert stock_of(product) == (3, 4, 0)
    with pytest.raises(StockShort):
        stock_allocate(holder="order:2", lines=[StockLine(product_id=product.id, quantity=1)])

    # Releasing puts back only what the count says is there: never the units the supplier lost.
    assert stock_deallocate(holder="order:1") == 4
    assert stock_of(product) == (3, 0, 3)


def test_a_release_and_a_fulfilment_each_happen_once():
    product = ProductFactory(quantity=10)
    stock_allocate(holder="order:1", lines=[StockLine(product_id=product.id, quantity=3)])
    stock_allocate(holder="order:2", lines=[StockLine(product_id=product.id, quantity=2)])

    assert [stock_deallocate(holder="order:1") for _ in range(2)] == [3, 0]
    assert stock_of(product) == (10, 2, 8)
    # Fulfilled units leave the shelf: on hand and held both drop, what is for sale stays.
    assert [stock_fulfil(holder="order:2") for _ in range(2)] == [2, 0]
    assert stock_of(product) == (8, 0, 8)
    # A fulfilled allocation is not released afterwards (an order cannot fail once completed).
    assert stock_deallocate(holder="order:2") == 0
    assert stock_of(product) == (8, 0, 8)
    states = dict(StockAllocation.objects.values_list("holder", "state"))
    assert states == {"order:1": "released", "order:2": "fulfilled"}


def test_fulfilling_more_than_a_lowered_count_leaves_the_quantity_at_zero():
    product = ProductFactory(quantity=10)
    stock_allocate(holder="order:1", lines=[StockLine(product_id=product.id, quantity=6)])
    stock_set_quantity(quantities={product.id: 4})

    stock_fulfil(holder="order:1")

    assert stock_of(product) == (0, 0, 0)


def test_a_negative_count_is_refused_and_changes_nothing():
    product = ProductFactory(quantity=10)

    with pytest.raises(ValueError, match="negative"):
        stock_set_quantity(quantities={product.id: -1})
    assert stock_of(product) == (10, 0, 10)


def test_one_count_sets_many_products_at_once():
    products = ProductFactory.create_batch(3, quantity=0)

    assert stock_set_quantity(quantities={p.id: 7 * n for n, p in enumerate(products)}) == 3

    assert [stock_of(p)[0] for p in products] == [0, 7, 14]
