"""Demo sales history: 120 days of completed orders so reports have something to say.

Created directly as completed orders with their lines and captured payments (no
workflows: this is history). Deterministic for a given day, and seeded once: a second run
finds the history and leaves it alone.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from catalog.models import Product
from shop.orders.models import Order, OrderLine, Payment

from .periods import shop_timezone, shop_today

HISTORY_DAYS = 120
NUMBER_PREFIX = "H"  # Historical demo orders: H<yymmdd>-<nnn>, apart from checkout's numbers.
DEMO_CUSTOMERS = ["anna", "bram", "chloe", "daan", "emma", "finn", "greta", "hugo"]
FREE_SHIPPING_FROM = Decimal("40.00")
SHIPPING = Decimal("3.95")
EXPRESS_SURCHARGE = Decimal("5.00")


def _demo_customers() -> list:
    User = get_user_model()
    customers = list(User.objects.filter(username="shopper"))
    for name in DEMO_CUSTOMERS:
        user, created = User.objects.get_or_create(
            username=f"demo-{name}",
            defaults={"email": f"{name}@customers.greengrocer.test", "first_name": name.title()},
        )
        if created:
            user.set_unusable_password()  # History only: these customers never log in.
            user.save(update_fields=["password"])
        customers.append(user)
    return customers


def _orders_on(day_index: int, weekday: int, rng: random.Random) -> int:
    """A growing shop, busier at the weekend, with some day-to-day noise."""
    base = 14 + day_index * 0.12
    weekend = 1.45 if weekday >= 5 else (1.15 if weekday == 4 else 1.0)
    return max(3, round(base * weekend * rng.uniform(0.75, 1.25)))


@transaction.atomic
def sales_history_seed(*, stdout) -> None:
    if Order.objects.filter(number__startswith=NUMBER_PREFIX).exists():
        stdout.write("  sales history: exists")
        return
    products = list(
        Product.objects.filter(is_active=True).order_by("id").values("id", "name", "sku", "price")
    )
    if not products:
        stdout.write("  sales history: skipped (no products; seed the catalog first)")
        return
    customers = _demo_customers()
    rng = random.Random(20261124)
    # A few favourites sell far more than the rest, as in any shop.
    popularity = [rng.paretovariate(2.5) for _ in products]
    zone = shop_timezone()
    first_day = shop_today() - timedelta(days=HISTORY_DAYS)

    orders: list[Order] = []
    baskets: list[list[tuple[dict, int]]] = []
    for day_index in range(HISTORY_DAYS):
        day = first_day + timedelta(days=day_index)
        for number in range(_orders_on(day_index, day.weekday(), rng)):
            placed_at = datetime.combine(day, time(rng.randrange(7, 23), rng.randrange(60)), tzinfo=zone)
            picks = rng.choices(products, weights=popularity, k=rng.choice([1, 2, 2, 3, 3, 4, 5, 6]))
            basket = [
                (product, rng.choice([1, 1, 1, 2, 2, 3, 4]))
                for product in {p["id"]: p for p in picks}.values()
            ]
            subtotal = sum((product["price"] * quantity for product, quantity in basket), Decimal("0.00"))
            express = rng.random() < 0.1
            shipping = (Decimal("0.00") if subtotal >= FREE_SHIPPING_FROM else SHIPPING) + (
                EXPRESS_SURCHARGE if express else Decimal("0.00")
            )
            orders.append(
                Order(
                    number=f"{NUMBER_PREFIX}{day:%y%m%d}-{number + 1:03d}",
                    customer=rng.choice(customers),
                    status=Order.Status.COMPLETED,
                    express=express,
                    subtotal=subtotal,
                    shipping=shipping,
                    total=subtotal + shipping,
                    card_number=f"{rng.randrange(10000):04d}",
                    placed_at=placed_at,
                    completed_at=placed_at + timedelta(minutes=rng.randrange(1, 20)),
                )
            )
            baskets.append(basket)

    Order.objects.bulk_create(orders, batch_size=500)
    OrderLine.objects.bulk_create(
        (
            OrderLine(
                order=order,
                product_id=product["id"],
                product_name=product["name"],
                sku=product["sku"],
                quantity=quantity,
                unit_price=product["price"],
                line_total=product["price"] * quantity,
            )
            for order, basket in zip(orders, baskets, strict=True)
            for product, quantity in basket
        ),
        batch_size=1000,
    )
    Payment.objects.bulk_create(
        (
            Payment(
                order=order,
                idempotency_key=f"demo-history-{order.number}",
                amount=order.total,
                status=Payment.Status.CAPTURED,
                gateway_reference=f"demo-{order.number}",
            )
            for order in orders
        ),
        batch_size=1000,
    )
    stdout.write(f"  sales history: {len(orders)} completed orders over {HISTORY_DAYS} days")
