"""Cached product-list pages (catalog/api_cache.py) are never stale once a write commits.

Each write runs in another thread, so on its own database connection, and commits there
before the next request: the cache in this process learns of it only through the catalog
version the database triggers change (catalog/versions.py), as gunicorn's processes do
when a worker or the admin writes.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from catalog.models import Product
from catalog.services import StockLine, stock_allocate, stock_set_quantity
from catalog.upsert import catalog_page_upsert
from catalog.versions import catalog_version
from sync.client import SupplierProduct
from tests.catalog.conftest import client_for
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db(transaction=True)
PAGE = "/api/products/?ordering=name"


def committed_elsewhere(write) -> None:
    """Run `write` in its own transaction on another connection, and let it commit."""
    errors = []

    def run():
        try:
            with transaction.atomic():
                write()
        except Exception as exc:  # re-raised in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def shown() -> dict[str, int]:
    response = client_for().get(PAGE)
    assert response.status_code == 200
    return {p["sku"]: p["stock"] for p in response.json()["results"]}


def test_the_next_page_after_a_stock_change_shows_it():
    apples = ProductFactory(sku="APPLES", quantity=10)
    assert shown() == {"APPLES": 10}
    assert shown() == {"APPLES": 10}  # now cached

    committed_elsewhere(lambda: stock_allocate(holder="order:1", lines=[StockLine(apples.id, 3)]))
    assert shown() == {"APPLES": 7}
    committed_elsewhere(lambda: stock_set_quantity(quantities={apples.id: 4}))
    assert shown() == {"APPLES": 1}


def test_the_next_page_after_a_deletion_leaves_the_product_out():
    ProductFactory(sku="APPLES")
    pears = ProductFactory(sku="PEARS")
    assert set(shown()) == {"APPLES", "PEARS"}

    committed_elsewhere(lambda: Product.objects.filter(id=pears.id).delete())
    assert set(shown()) == {"APPLES"}


def test_the_next_page_after_a_sync_upsert_shows_the_suppliers_figures():
    def supplied(stock: int, price: str) -> SupplierProduct:
        return SupplierProduct(ref="sup-1", sku="FIGS", name="Figs", description="", category="Fruit",
                               price=Decimal(price), currency="EUR", stock=stock)  # fmt: skip

    committed_elsewhere(lambda: catalog_page_upsert(items=[supplied(5, "3.00")]))
    assert shown() == {"FIGS": 5}

    committed_elsewhere(lambda: catalog_page_upsert(items=[supplied(2, "3.50")]))
    page = client_for().get(PAGE).json()["results"]
    assert [(p["stock"], p["price"]) for p in page] == [(2, "3.50")]


def test_a_matching_etag_is_304_until_a_write_commits_and_a_rolled_back_one_changes_nothing():
    apples = ProductFactory(sku="APPLES", quantity=10)
    client = client_for()
    first = client.get(PAGE)
    etag = first["ETag"]

    again = client.get(PAGE, HTTP_IF_NONE_MATCH=etag)
    assert (again.status_code, again["ETag"], again.content) == (304, etag, b"")
    assert client.get(PAGE, HTTP_IF_NONE_MATCH='W/"other"').status_code == 200

    def rolled_back():
        stock_set_quantity(quantities={apples.id: 1})
        raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        committed_elsewhere(rolled_back)
    assert client.get(PAGE, HTTP_IF_NONE_MATCH=etag).status_code == 304

    committed_elsewhere(lambda: stock_set_quantity(quantities={apples.id: 1}))
    changed = client.get(PAGE, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert [p["stock"] for p in changed.json()["results"]] == [1]


def test_every_catalog_write_changes_the_version_and_a_read_does_not():
    before = catalog_version()
    client_for().get(PAGE)
    assert catalog_version() == before

    product = ProductFactory()
    after_insert = catalog_version()
    Product.objects.filter(id=product.id).update(name="Renamed")
    after_update = catalog_version()
    product.delete()
    after_delete = catalog_version()
    product.category.delete()
    assert len({before, after_insert, after_update, after_delete, catalog_version()}) == 5
