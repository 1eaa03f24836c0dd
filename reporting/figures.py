"""Merging the partial figures of several day ranges into a report's figures.

Pure functions over the small dicts that `selectors.sales_between` returns: the chord's
body calls them, and the tests can check them without a database. Money stays in cents
until the final figures, where it becomes a decimal string ("1234.50") for JSON.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

TOP_PRODUCTS = 10
CURRENCY = "EUR"  # The shop sells in one currency (catalog.Product.currency's default).


def money(cents: int) -> str:
    return str((Decimal(cents) / 100).quantize(Decimal("0.01")))


def merge_partials(partials: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Sum partial figures; per-day, per-product and per-category entries add up by key."""
    totals: Counter[str] = Counter()
    merged: dict[str, dict[str, list[int]]] = {"days": {}, "products": {}, "categories": {}}
    for partial in partials:
        totals.update({key: partial[key] for key in ("orders", "revenue", "goods", "shipping")})
        for section, entries in merged.items():
            for key, (count, amount) in partial[section].items():
                previous = entries.get(key, [0, 0])
                entries[key] = [previous[0] + count, previous[1] + amount]
    return {key: totals[key] for key in ("orders", "revenue", "goods", "shipping")} | merged


def top_product_ids(merged: dict[str, Any], *, limit: int = TOP_PRODUCTS) -> list[int]:
    """Best sellers by revenue, then units; ties broken by id so the order is stable."""
    ranked = sorted(merged["products"].items(), key=lambda item: (-item[1][1], -item[1][0], int(item[0])))
    return [int(product_id) for product_id, _ in ranked[:limit]]


def report_figures(
    merged: dict[str, Any],
    *,
    start: date,
    end: date,
    product_labels: dict[int, dict[str, str]],
    category_names: dict[int, str],
    limit: int = TOP_PRODUCTS,
) -> dict[str, Any]:
    """The figures a report stores and renders: headline totals, every day, top products."""
    orders = merged["orders"]
    average_cents = (Decimal(merged["revenue"]) / orders).quantize(Decimal(1), ROUND_HALF_UP) if orders else 0
    days = []
    day = start
    while day <= end:
        day_orders, day_revenue = merged["days"].get(day.isoformat(), [0, 0])
        days.append({"date": day.isoformat(), "orders": day_orders, "revenue": money(day_revenue)})
        day += timedelta(days=1)
    unknown = {"name": "(deleted product)", "sku": "", "category": ""}
    top_products = [
        {
            "product_id": product_id,
            **product_labels.get(product_id, unknown),
            "units": merged["products"][str(product_id)][0],
            "revenue": money(merged["products"][str(product_id)][1]),
        }
        for product_id in top_product_ids(merged, limit=limit)
    ]
    categories = sorted(merged["categories"].items(), key=lambda item: (-item[1][1], int(item[0])))
    return {
        "currency": CURRENCY,
        "orders": orders,
        "units": sum(units for units, _ in merged["products"].values()),
        "products_sold": len(merged["products"]),
        "revenue": money(merged["revenue"]),
        "goods": money(merged["goods"]),
        "shipping": money(merged["shipping"]),
        "average_basket": money(int(average_cents)),
        "days": days,
        "top_products": top_products,
        "categories": [
            {
                "category_id": int(category_id),
                "name": category_names.get(int(category_id), "(deleted category)"),
                "units": units,
                "revenue": money(amount),
            }
            for category_id, (units, amount) in categories
        ],
    }
