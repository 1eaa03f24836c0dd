"""Report: seconds for a monthly sales report over a month of bulk-created completed orders.

Ours: `report_request` for that month (as the staff API calls it): a chord of weekly SQL
aggregations, then the PDF and its mail, timed until the report is ready. Naive: one task
that loads the month's orders with their lines and products and adds them up in Python
(bench/naive/tasks.py), on the same queue; it makes no PDF, so ours does more.
"""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model

from bench import broker
from bench.catalog_data import bench_products
from bench.context import BenchContext
from bench.measure import Row, ScenarioResult, repeat
from bench.naive import tasks as naive
from reporting.models import Report
from reporting.periods import period_containing, shop_timezone, shop_today
from reporting.services import report_request
from shop.orders.models import Order, OrderLine
from tests.harness.jobs import wait_until

TIMEOUT = 900
NUMBER_PREFIX = "BENCH-R"
PRODUCTS = 40


def _orders_ensure(count: int, start, end) -> None:
    """`count` completed orders spread over [start, end] with 1–3 lines each (bulk_create, once)."""
    if Order.objects.filter(number__startswith=NUMBER_PREFIX).exists():
        return
    customer, _ = get_user_model().objects.get_or_create(username="bench-report-customer")
    products = bench_products("report", PRODUCTS, price=Decimal("3.75"))
    rng = random.Random(11)
    first = datetime.combine(start, datetime.min.time(), tzinfo=shop_timezone())
    seconds = int((end - start + timedelta(days=1)).total_seconds())
    orders, baskets = [], []
    for n in range(count):
        basket = rng.sample(products, rng.randint(1, 3))
        subtotal = sum((p.price for p in basket), Decimal("0.00"))
        placed_at = first + timedelta(seconds=rng.randrange(seconds))
        orders.append(
            Order(
                number=f"{NUMBER_PREFIX}{n:07d}",
                customer=customer,
                status=Order.Status.COMPLETED,
                subtotal=subtotal,
                total=subtotal,
                placed_at=placed_at,
                completed_at=placed_at,
            )
        )
        baskets.append(basket)
    Order.objects.bulk_create(orders, batch_size=2000)
    OrderLine.objects.bulk_create(
        (
            OrderLine(
                order=order,
                product=p,
                product_name=p.name,
                sku=p.sku,
                quantity=1,
                unit_price=p.price,
                line_total=p.price,
            )
            for order, basket in zip(orders, baskets, strict=True)
            for p in basket
        ),
        batch_size=2000,
    )


def _figures_check(figures: dict) -> None:
    """A fast report is worthless if it does not add up: goods + shipping and the days' rows
    must both equal the revenue, to the cent."""
    revenue = Decimal(figures["revenue"])
    days = sum((Decimal(day["revenue"]) for day in figures["days"]), Decimal(0))
    if Decimal(figures["goods"]) + Decimal(figures["shipping"]) != revenue or days != revenue:
        raise RuntimeError(
            f"report figures do not add up: revenue {revenue}, goods {figures['goods']} + "
            f"shipping {figures['shipping']}, days {days}"
        )


def run(context: BenchContext) -> ScenarioResult:
    count = context.sizes.report_orders
    start, end = period_containing(Report.Kind.MONTHLY, shop_today().replace(day=1) - timedelta(days=1))
    _orders_ensure(count, start, end)
    staff, _ = get_user_model().objects.get_or_create(
        username="bench-staff", defaults={"is_staff": True, "email": "staff@bench.greengrocer.test"}
    )
    queue = broker.queue_of("reporting.report_render")

    def ours() -> dict[str, float]:
        started = time.perf_counter()
        report = report_request(kind=Report.Kind.MONTHLY, requested_by=staff, period_start=start)
        done = wait_until(
            lambda: Report.objects.filter(id=report.id, finished_at__isnull=False).first(),
            timeout=TIMEOUT,
            interval=0.05,
            message="the report finished",
        )
        elapsed = time.perf_counter() - started
        if done.status != Report.Status.READY or done.figures["orders"] < count:
            raise RuntimeError(f"report {done.id}: {done.status}, {done.figures.get('orders')} orders")
        _figures_check(done.figures)
        return {"seconds": elapsed}

    def python_loop() -> dict[str, float]:
        started = time.perf_counter()
        totals = naive.sales_python_loop.apply_async(args=(start.isoformat(), end.isoformat()), queue=queue)
        if totals.get(timeout=TIMEOUT)["orders"] < count:
            raise RuntimeError("the naive loop missed orders")
        return {"seconds": time.perf_counter() - started}

    figures, naive_figures = repeat(ours, python_loop, units={"seconds": "s"})
    return ScenarioResult(
        name="report",
        size=f"{count:,} orders in {start:%B %Y}",
        rows=[
            Row(
                "seconds for the month's report",
                figures["seconds"],
                naive_figures["seconds"],
                "naive Python loop over the orders",
                higher_is_better=False,
            )
        ],
        notes=[
            "Ours is timed until the report is ready (figures merged, PDF rendered and stored); the "
            "naive loop only adds up."
        ],
    )
