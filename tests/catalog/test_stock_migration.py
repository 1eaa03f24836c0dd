"""catalog 0003 on a database with orders in every state: what was for sale stays for sale."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("catalog", "0002_productimage_imagerendition"), ("orders", "0002_checkout_fields")]
AFTER = [("catalog", "0003_stock_allocations")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_the_latest_schema():
    """Leave the database as the other tests expect it: every migration applied (later ones,
    such as catalog 0004's version triggers, are rolled back by migrating to BEFORE)."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest_schema")
def test_open_orders_get_allocations_and_the_available_figure_is_the_old_stock():
    old = _migrate(BEFORE)
    try:
        Category, Product = old.get_model("catalog", "Category"), old.get_model("catalog", "Product")
        Order, OrderLine = old.get_model("orders", "Order"), old.get_model("orders", "OrderLine")
        customer = old.get_model("auth", "User").objects.create(username="migrated")
        fruit = Category.objects.create(name="Fruit", slug="fruit")
        # Old stock: what is left to sell, after the open orders took their units.
        apples = Product.objects.create(sku="A", slug="a", name="Apples", category=fruit, price=1, stock=6)
        pears = Product.objects.create(sku="P", slug="p", name="Pears", category=fruit, price=1, stock=0)

        def order(number: str, status: str, lines: dict, released: bool = False):
            placed = Order.objects.create(number=number, customer=customer, status=status,
                                          stock_released=released, placed_at=timezone.now())  # fmt: skip
            for product, quantity in lines.items():
                OrderLine.objects.create(order=placed, product=product, product_name=product.name, sku=product.sku,
                                         quantity=quantity, unit_price=Decimal(1), line_total=Decimal(quantity))  # fmt: skip
            return placed

        placed = order("N1", "placed", {apples: 3, pears: 2})
        paid = order("N2", "paid", {apples: 1})
        order("N3", "completed", {apples: 5})
        order("N4", "cancelled", {apples: 4}, released=True)
        order("N5", "failed", {pears: 1}, released=True)
    finally:
        new = _migrate(AFTER)

    Product, StockAllocation = (
        new.get_model("catalog", "Product"),
        new.get_model("catalog", "StockAllocation"),
    )
    stock = {p.sku: (p.quantity, p.allocated, p.available) for p in Product.objects.all()}
    assert stock == {"A": (10, 4, 6), "P": (2, 2, 0)}
    held = set(StockAllocation.objects.values_list("holder", "product__sku", "quantity", "state"))
    assert held == {(f"order:{placed.id}", "A", 3, "open"), (f"order:{placed.id}", "P", 2, "open"),
                    (f"order:{paid.id}", "A", 1, "open")}  # fmt: skip
