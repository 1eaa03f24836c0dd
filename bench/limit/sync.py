"""The sync limit: the supplier's pages of 1,000 fetched over one HTTP session and written by
one `executemany` upsert per page, in this process: no task, no tracking, no validation beyond
what the SQL needs, no compare with what the catalog holds."""

from __future__ import annotations

import requests
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from catalog.models import Category
from catalog.upsert import product_slug
from devservers.supplier_state import MAX_PAGE_SIZE

_CATEGORY_INSERT = (
    "INSERT INTO catalog_category (name, slug, position) VALUES (%s, %s, 0) ON CONFLICT DO NOTHING"
)
_PRODUCT_UPSERT = """
INSERT INTO catalog_product (supplier_ref, sku, slug, name, description, category_id, price, currency,
                             quantity, allocated, is_active, created_at, updated_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 0, TRUE, %s, %s)
ON CONFLICT (supplier_ref) DO UPDATE SET
    sku = excluded.sku, name = excluded.name, description = excluded.description,
    category_id = excluded.category_id, price = excluded.price, currency = excluded.currency,
    quantity = excluded.quantity, is_active = TRUE, updated_at = excluded.updated_at
"""


def sync_loop(products: int) -> int:
    """Fetch and upsert the supplier's first `products` products; returns how many were written."""
    category_ids: dict[str, int] = {}
    synced, number = 0, 1
    timeout = (settings.SUPPLIER_CONNECT_TIMEOUT, settings.SUPPLIER_READ_TIMEOUT)
    with requests.Session() as session:
        while synced < products:
            response = session.get(f"{settings.SUPPLIER_API_URL}/products",
                                   params={"page": number, "page_size": MAX_PAGE_SIZE}, timeout=timeout)  # fmt: skip
            response.raise_for_status()
            page = response.json()
            items = page["items"][: products - synced]
            now = timezone.now()
            with transaction.atomic(), connection.cursor() as cursor:
                if names := {item["category"] for item in items} - category_ids.keys():
                    cursor.executemany(_CATEGORY_INSERT, [(name, slugify(name)[:80]) for name in names])
                    category_ids.update(Category.objects.filter(name__in=names).values_list("name", "id"))
                cursor.executemany(_PRODUCT_UPSERT, [
                    (item["ref"], item["sku"], product_slug(name=item["name"], ref=item["ref"]),
                     item["name"], item["description"], category_ids[item["category"]], str(item["price"]),
                     item["currency"], item["stock"], now, now)
                    for item in items
                ])  # fmt: skip
            synced += len(items)
            if number >= page["pages"]:
                break
            number += 1
    return synced
