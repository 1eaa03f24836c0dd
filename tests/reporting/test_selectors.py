"""The SQL aggregation of one day range equals the plain-Python computation."""

from __future__ import annotations

from datetime import date

import pytest

from reporting.selectors import sales_between
from tests.reporting.sales import catalog_create, expected_figures, month_of_sales_create

pytestmark = pytest.mark.django_db


def cents(amount) -> int:
    return int(amount * 100)


def test_sales_between_matches_an_independent_computation_in_shop_time():
    products = catalog_create()
    start, end = date(2026, 10, 20), date(2026, 10, 31)  # Amsterdam leaves summer time on the 25th.
    orders = month_of_sales_create(start=start, days=12, products=products)

    partial = sales_between(start=start, end=end)
    expected = expected_figures(orders, start=start, end=end)

    assert partial["orders"] == expected["orders"]
    assert partial["revenue"] == cents(expected["revenue"])
    assert partial["goods"] == cents(expected["goods"])
    assert partial["shipping"] == cents(expected["shipping"])
    assert {day: amount for day, (_, amount) in partial["days"].items()} == {
        day: cents(amount) for day, amount in expected["revenue_by_day"].items()
    }
    assert partial["products"] == {
        str(product_id): [units, cents(amount)]
        for product_id, (units, amount) in expected["by_product"].items()
    }
    assert sum(units for units, _ in partial["categories"].values()) == expected["units"]
    # The 23:45 order of the first day counts on that day, not the next (UTC) one.
    assert partial["days"][start.isoformat()][0] >= 1


def test_sales_between_an_empty_range_is_all_zeros():
    assert sales_between(start=date(2026, 1, 1), end=date(2026, 1, 7)) == {
        "orders": 0, "revenue": 0, "goods": 0, "shipping": 0, "days": {}, "products": {}, "categories": {},
    }  # fmt: skip
