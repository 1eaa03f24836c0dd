"""Money is summed exactly: amounts whose float sum loses a cent add up to the cent, and the
API, the PDF and the mail print the same figures.
"""

from __future__ import annotations

from datetime import date
from decimal import Context, Decimal

import pytest
from rest_framework.test import APIClient

from reporting import services
from reporting.models import Report
from reporting.selectors import sales_between
from shop.platform.jobs.models import Job
from tests.factories import CategoryFactory, ProductFactory, StaffFactory, UserFactory
from tests.harness.jobs import wait_for_job
from tests.reporting.sales import order_create, shop_time
from tests.reporting.test_workflows import pdf_text

FIRST_DAY, SECOND_DAY = date(2026, 11, 2), date(2026, 11, 3)


def float_sum_in_cents(amounts: list[Decimal]) -> int:
    """What a float SUM, truncated to cents, made of these amounts (the old report's way)."""
    total = 0.0
    for amount in amounts:
        total += float(amount)
    return int(Context(prec=15).create_decimal_from_float(total) * 100)


def hostile_sales_create() -> dict:
    """63 orders of 3 x 0.29 + 0.10 shipping, then 32 of 0.10 + 0.29 + 2 x 1.15 + 19.99 + 0.10 shipping.

    Returns the orders and products; the amounts are ones a float sum gets wrong.
    """
    category = CategoryFactory(name="Small change", slug="small-change")
    price = {
        cents: ProductFactory(category=category, price=Decimal(cents) / 100) for cents in (10, 29, 115, 1999)
    }
    customer = UserFactory()
    orders = [
        order_create(placed_at=shop_time(FIRST_DAY, 9), basket=[(price[29], 3)], customer=customer,
                     shipping=Decimal("0.10"))
        for _ in range(63)
    ] + [
        order_create(placed_at=shop_time(SECOND_DAY, 17), basket=[(price[10], 1), (price[29], 1), (price[115], 2),
                     (price[1999], 1)], customer=customer, shipping=Decimal("0.10"))
        for _ in range(32)
    ]  # fmt: skip
    return {"orders": orders, "products": price}


def exact_cents(amounts: list[Decimal]) -> int:
    return int(sum(amounts, Decimal("0.00")) * 100)


@pytest.mark.django_db
def test_sales_between_sums_amounts_that_floats_get_wrong_to_the_cent():
    sales = hostile_sales_create()
    orders, products = sales["orders"], sales["products"]
    goods = [order.subtotal for order in orders]
    shipping = [order.shipping for order in orders]
    revenue = [order.total for order in orders]
    # The data can catch the defect: summed as floats and truncated, each figure loses a cent.
    for amounts in (goods, shipping, revenue):
        assert float_sum_in_cents(amounts) != exact_cents(amounts)

    partial = sales_between(start=FIRST_DAY, end=SECOND_DAY)

    assert (partial["revenue"], partial["goods"], partial["shipping"]) == (
        exact_cents(revenue), exact_cents(goods), exact_cents(shipping),
    )  # fmt: skip
    assert partial["revenue"] == 790_07 == partial["goods"] + partial["shipping"]
    assert partial["days"] == {
        FIRST_DAY.isoformat(): [63, 63 * 97],
        SECOND_DAY.isoformat(): [32, 32 * 2278],
    }
    assert sum(amount for _, amount in partial["days"].values()) == partial["revenue"]
    assert partial["products"] == {
        str(products[10].id): [32, 32 * 10],
        str(products[29].id): [189 + 32, (189 + 32) * 29],
        str(products[115].id): [64, 64 * 115],
        str(products[1999].id): [32, 32 * 1999],
    }
    assert partial["categories"] == {str(products[10].category_id): [349, partial["goods"]]}


def test_a_report_prints_the_same_exact_figures_in_the_api_the_pdf_and_the_mail(worker, mailbox):
    hostile_sales_create()
    staff = StaffFactory(email="ria@greengrocer.test", first_name="Ria")

    report = services.report_request(kind="custom", period_start=FIRST_DAY, period_end=SECOND_DAY,
                                     requested_by=staff)  # fmt: skip
    job = wait_for_job(report.job, timeout=90)
    report.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert report.status == Report.Status.READY

    client = APIClient()
    client.force_authenticate(staff)
    figures = client.get(f"/api/reports/{report.id}/").json()["figures"]
    assert (figures["revenue"], figures["goods"], figures["shipping"]) == ("790.07", "780.57", "9.50")
    assert Decimal(figures["goods"]) + Decimal(figures["shipping"]) == Decimal(figures["revenue"])
    assert [(day["orders"], day["revenue"]) for day in figures["days"]] == [(63, "61.11"), (32, "728.96")]
    assert sum(Decimal(day["revenue"]) for day in figures["days"]) == Decimal(figures["revenue"])
    assert figures["average_basket"] == "8.32"  # 790.07 / 95 = 8.3165...

    text = pdf_text(report)
    assert "€790.07" in text
    assert "€780.57 goods + €9.50 shipping" in text
    assert "€8.32" in text and "95" in text

    (mail,) = mailbox.wait_for(1)
    body = mail.get_body(("plain",)).get_content()
    assert "Orders: 95" in body
    assert "Revenue: €790.07 (€780.57 goods + €9.50 shipping)" in body
    assert "€790.07" in mail.get_body(("html",)).get_content()
