"""Sales for report tests: orders with lines, and the figures computed the slow, obvious way.

`expected_figures` is the independent computation the reports are checked against: plain
Python over the rows the test created, no ORM aggregates.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from shop.orders.models import Order
from tests.factories import (
    CategoryFactory,
    CompletedOrderFactory,
    OrderLineFactory,
    ProductFactory,
    UserFactory,
)

SHIPPING = Decimal("3.95")


def shop_time(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(settings.TIME_ZONE))


def catalog_create(*, categories: int = 3, per_category: int = 4) -> list:
    products = []
    for c in range(categories):
        category = CategoryFactory(name=f"Report category {c}", slug=f"report-category-{c}")
        for p in range(per_category):
            price = Decimal(150 + 137 * (c * per_category + p)) / 100
            products.append(ProductFactory(category=category, price=price, name=f"Produce {c}-{p}"))
    return products


def order_create(*, placed_at: datetime, basket: list[tuple], status: str = Order.Status.COMPLETED,
                 customer=None, shipping: Decimal = SHIPPING) -> Order:  # fmt: skip
    """An order of `basket` [(product, quantity)], its totals consistent with its lines."""
    subtotal = sum((product.price * quantity for product, quantity in basket), Decimal("0.00"))
    order = CompletedOrderFactory(
        customer=customer or UserFactory(),
        status=status,
        placed_at=placed_at,
        completed_at=placed_at + timedelta(minutes=3) if status == Order.Status.COMPLETED else None,
        subtotal=subtotal,
        shipping=shipping,
        total=subtotal + shipping,
    )
    for product, quantity in basket:
        OrderLineFactory(order=order, product=product, quantity=quantity)
    return order


def month_of_sales_create(*, start: date, days: int, products: list, seed: int = 7) -> list[Order]:
    """A few orders a day over `days` days, including some that must not count."""
    rng = random.Random(seed)
    customer = UserFactory()
    orders = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        for _ in range(rng.randrange(0, 4)):
            basket = [(p, rng.randrange(1, 4)) for p in rng.sample(products, rng.randrange(1, 4))]
            orders.append(order_create(placed_at=shop_time(day, rng.randrange(8, 22)), basket=basket,
                                       customer=customer))  # fmt: skip
    # Late evening shop time is still that day (UTC already says the next one, or not).
    orders.append(
        order_create(placed_at=shop_time(start, 23, 45), basket=[(products[0], 2)], customer=customer)
    )
    # Not sales: in flight, failed, cancelled; and orders just outside the period.
    for status in (Order.Status.PAID, Order.Status.FAILED, Order.Status.CANCELLED):
        orders.append(order_create(placed_at=shop_time(start, 12), basket=[(products[1], 5)], status=status,
                                   customer=customer))  # fmt: skip
    orders.append(order_create(placed_at=shop_time(start, 0, 0) - timedelta(minutes=1),
                               basket=[(products[2], 9)], customer=customer))  # fmt: skip
    orders.append(order_create(placed_at=shop_time(start + timedelta(days=days), 0, 0),
                               basket=[(products[2], 9)], customer=customer))  # fmt: skip
    return orders


def expected_figures(orders: list[Order], *, start: date, end: date) -> dict:
    """The report's figures, computed in plain Python over `orders` and their lines."""
    zone = ZoneInfo(settings.TIME_ZONE)
    sales = [
        order for order in orders
        if order.status == Order.Status.COMPLETED and start <= order.placed_at.astimezone(zone).date() <= end
    ]  # fmt: skip
    revenue_by_day: dict[str, Decimal] = defaultdict(Decimal)
    by_product: dict[int, list] = defaultdict(lambda: [0, Decimal(0)])
    by_category: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
    for order in sales:
        revenue_by_day[order.placed_at.astimezone(zone).date().isoformat()] += order.total
        for line in order.lines.select_related("product__category"):
            by_product[line.product_id][0] += line.quantity
            by_product[line.product_id][1] += line.line_total
            by_category[line.product.category.name][0] += line.quantity
            by_category[line.product.category.name][1] += line.line_total
    revenue = sum((order.total for order in sales), Decimal("0.00"))
    return {
        "orders": len(sales),
        "revenue": revenue,
        "goods": sum((order.subtotal for order in sales), Decimal("0.00")),
        "shipping": sum((order.shipping for order in sales), Decimal("0.00")),
        "average_basket": (revenue / len(sales)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if sales
        else Decimal("0.00"),
        "units": sum(units for units, _ in by_product.values()),
        "revenue_by_day": dict(revenue_by_day),
        "by_product": {product_id: (units, amount) for product_id, (units, amount) in by_product.items()},
        "by_category": {name: (units, amount) for name, (units, amount) in by_category.items()},
    }
