"""Reads for reports. The sales figures are computed by the database, never by a Python
loop over orders.

What counts as a sale: an order whose status is `completed`, on the day it was placed (in
the shop's time zone). `paid` orders are still in their workflow and may yet fail and be
refunded, so they are left out; a report therefore shows the orders of its period that had
completed when it ran. Revenue is what customers paid (order total, shipping included);
product and category revenue are line totals, so they add up to the goods revenue.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import BigIntegerField, Case, CharField, Count, F, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, Round

from catalog.models import Category, Product
from shop.orders.models import Order, OrderLine

from .models import Report
from .periods import day_bounds, midnights


def cents(amount: Decimal | None) -> int:
    """One stored amount (a two-place Decimal) as whole cents: exact, and plain JSON."""
    return int((amount or Decimal(0)) * 100)


def cents_sum(field: str) -> Sum:
    """SUM of a money column in whole cents, exact on SQLite and PostgreSQL alike.

    SQLite keeps a DecimalField as a binary float and SUMs floats: sixty lines of 0.10 add
    up to 5.999999999999995, and truncating that loses a cent. So each amount becomes
    integer cents before the sum. ROUND, not a bare CAST, which truncates: 0.29 * 100 is
    28.999999999999996 as a float. Every amount these columns hold (under 10^10) is far
    within half a cent of its float, so the rounding is exact; PostgreSQL's numeric is
    exact anyway. Integers then sum exactly on both (SQLite's integer SUM raises on
    overflow rather than going inexact). PostgreSQL answers SUM(bigint) as a numeric:
    callers take int() of the result.
    """
    return Sum(Cast(Round(F(field) * 100), BigIntegerField()), default=0)


def completed_orders_between(start: date, end: date) -> QuerySet[Order]:
    placed_from, placed_until = day_bounds(start, end)
    return Order.objects.filter(
        status=Order.Status.COMPLETED, placed_at__gte=placed_from, placed_at__lt=placed_until
    )


def sales_between(*, start: date, end: date) -> dict[str, Any]:
    """Partial figures for the days [start, end]: small, JSON-able, and summable.

    Money is in cents, summed exactly by the database (`cents_sum`). Per-product and
    per-category entries are keyed by id (as strings, JSON's only key type) so that
    partials from several day ranges merge exactly.
    """
    orders = completed_orders_between(start, end)
    lines = OrderLine.objects.filter(order__in=orders)
    totals = orders.aggregate(
        orders=Count("id"),
        revenue=cents_sum("total"),
        goods=cents_sum("subtotal"),
        shipping=cents_sum("shipping"),
    )
    # The day of each order by comparing with the period's precomputed midnights (a CASE the
    # database evaluates natively): TruncDate with a time zone makes SQLite call back into
    # Python for every row. The orders are already within the period, so the first midnight
    # an order is before is the end of its day.
    day_of_order = Case(
        *(
            When(placed_at__lt=midnight, then=Value(day.isoformat()))
            for day, midnight in midnights(start, end)
        ),
        output_field=CharField(),
    )
    by_day = (
        orders.annotate(day=day_of_order)
        .values("day")
        .annotate(orders=Count("id"), revenue=cents_sum("total"))
        .order_by("day")
    )
    # A product is in one category, so the per-product rows carry the per-category sums too.
    by_product = lines.values("product_id", "product__category_id").annotate(
        units=Sum("quantity"), revenue=cents_sum("line_total")
    )
    products: dict[str, list[int]] = {}
    categories: dict[str, list[int]] = {}
    for row in by_product:
        units, revenue = row["units"], int(row["revenue"])
        products[str(row["product_id"])] = [units, revenue]
        category = categories.setdefault(str(row["product__category_id"]), [0, 0])
        category[0] += units
        category[1] += revenue
    return {
        "orders": totals["orders"],
        "revenue": int(totals["revenue"]),
        "goods": int(totals["goods"]),
        "shipping": int(totals["shipping"]),
        "days": {row["day"]: [row["orders"], int(row["revenue"])] for row in by_day},
        "products": products,
        "categories": categories,
    }


def product_labels(*, ids: list[int]) -> dict[int, dict[str, str]]:
    """Name, SKU and category name of the given products (the few in a top-N table)."""
    rows = Product.objects.filter(id__in=ids).values("id", "name", "sku", "category__name")
    return {
        row["id"]: {"name": row["name"], "sku": row["sku"], "category": row["category__name"]} for row in rows
    }


def category_names(*, ids: list[int]) -> dict[int, str]:
    return dict(Category.objects.filter(id__in=ids).values_list("id", "name"))


def report_list() -> QuerySet[Report]:
    return Report.objects.select_related("job", "requested_by")


def report_recipient_ids(report: Report) -> list[int]:
    """Who is mailed the PDF: every active staff member with an address, or the requester."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    if report.audience == Report.Audience.STAFF:
        users = users.filter(is_staff=True)
    else:
        users = users.filter(id=report.requested_by_id)
    return sorted(users.values_list("id", flat=True))
