"""Two transactions that take the same products in opposite orders only wait for each other:
neither ever deadlocks over the catalog version row (catalog/versions.py, migration 0005).

The pattern of a checkout against a sync on PostgreSQL: one holds a product and writes
another, the other holds that one and writes the first. With the version bumped at the
first write of a transaction, each would end up waiting for the other's locks.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from catalog.models import Product
from catalog.versions import catalog_version
from tests.factories import ProductFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite has one writer: the other waits for its whole transaction",
    ),
]


def test_crossed_catalog_writes_wait_for_each_other_and_both_commit():
    first, second = ProductFactory(), ProductFactory()
    before = catalog_version()
    holds_second, wrote_first = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def other_writer() -> None:
        try:
            with transaction.atomic():
                Product.objects.select_for_update().get(id=second.id)
                holds_second.set()
                wrote_first.wait(10)
                time.sleep(0.3)  # let the main writer queue behind this lock first
                Product.objects.filter(id=second.id).update(name="Renamed by the other")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=other_writer)
    thread.start()
    assert holds_second.wait(10)
    with transaction.atomic():
        Product.objects.filter(id=first.id).update(name="Renamed first")
        wrote_first.set()
        Product.objects.filter(id=second.id).update(quantity=7)  # waits for the other writer
    thread.join(30)

    assert errors == []
    assert Product.objects.get(id=first.id).name == "Renamed first"
    assert Product.objects.values_list("name", "quantity").get(id=second.id) == ("Renamed by the other", 7)
    assert catalog_version() != before
