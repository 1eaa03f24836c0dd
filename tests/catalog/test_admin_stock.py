"""The staff admin: a product's count, the units open orders hold and what is for sale."""

from __future__ import annotations

import pytest

from catalog.models import Product
from catalog.services import StockLine, stock_allocate
from tests.factories import ProductFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _inline(prefix: str, ids: list[int], product: Product) -> dict[str, object]:
    data = {f"{prefix}-TOTAL_FORMS": len(ids), f"{prefix}-INITIAL_FORMS": len(ids),
            f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000}  # fmt: skip
    for n, row_id in enumerate(ids):
        data.update({f"{prefix}-{n}-id": row_id, f"{prefix}-{n}-product": product.id})
    return data


def test_a_staff_edit_sets_the_count_and_the_units_held_stay_held(client):
    client.force_login(StaffFactory(is_superuser=True))
    product = ProductFactory(name="Quince", quantity=10)
    first = stock_allocate(holder="order:1", lines=[StockLine(product_id=product.id, quantity=3)])
    page = client.get(f"/admin/catalog/product/{product.id}/change/").content.decode()
    assert "Units held by open orders" in page and "order:1" in page
    second = stock_allocate(holder="order:2", lines=[StockLine(product_id=product.id, quantity=2)])

    response = client.post(f"/admin/catalog/product/{product.id}/change/", {
        "sku": product.sku, "slug": product.slug, "name": "Quince, 1 kg", "description": "",
        "category": product.category_id, "price": "2.50", "currency": "EUR", "quantity": 12,
        "is_active": "on", "supplier_ref": "",
        **_inline("images", [], product), **_inline("allocations", [first[0].id, second[0].id], product),
    })  # fmt: skip

    assert response.status_code == 302, response.content.decode()[:3000]
    product.refresh_from_db()
    assert (product.name, product.quantity, product.allocated, product.available) == (
        "Quince, 1 kg",
        12,
        5,
        7,
    )


def test_a_supplier_products_count_is_the_suppliers_in_the_admin(client):
    client.force_login(StaffFactory(is_superuser=True))
    product = ProductFactory(supplier_ref="SUP-000001", quantity=10)

    page = client.get(f"/admin/catalog/product/{product.id}/change/").content.decode()

    assert 'name="quantity"' not in page and 'name="name"' in page
