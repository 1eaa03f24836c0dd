"""Writing listed products (the supplier's) into the catalog: per page one SELECT, one bulk
upsert of what changed and one UPDATE of the counted stock. The catalog owns these tables,
so the sync calls this rather than writing them itself.

Rows whose data did not change are not written at all, so a sync that finds nothing new
leaves every `updated_at` as it was. Callers own the transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.db import IntegrityError, connection
from django.utils import timezone
from django.utils.text import slugify

from shop.platform.errors import Conflict

from .models import Category, Product
from .services import stock_set_quantity

# What the supplier owns on a product. The slug is set once, at creation: URLs stay stable.
# Its stock figure is the quantity on hand, written through catalog.services (never the units
# open orders hold): a new product gets it at creation, a known one by stock_set_quantity.
SYNCED_FIELDS = ("sku", "name", "description", "category_id", "price", "currency", "is_active")
DEACTIVATE_BATCH = 500
_NOT_IN_SLUG = re.compile(r"[^\w\s-]")
_SLUG_SEPARATORS = re.compile(r"[-\s]+")


def _slug(value: str) -> str:
    """Django's `slugify`, without its Unicode normalisation for text that is ASCII already
    (which it leaves as it is): a product created by the sync slugs two strings, and this is
    half the cost (`tests/catalog/test_upsert.py` checks the two agree)."""
    if not value.isascii():
        return slugify(value)
    return _SLUG_SEPARATORS.sub("-", _NOT_IN_SLUG.sub("", value.lower())).strip("-_")


def product_slug(*, name: str, ref: str) -> str:
    """A listed product's slug, set once when the sync creates it."""
    return f"{_slug(name)[:100]}-{_slug(ref)}"[:140]


class ListedProduct(Protocol):
    """A product as a supplier lists it (sync.client.SupplierProduct is one)."""

    ref: str
    sku: str
    name: str
    description: str
    category: str
    price: Decimal
    currency: str
    stock: int


class CatalogConflict(Conflict):
    """The page cannot be applied as it is (e.g. a SKU another product already has)."""


@dataclass(frozen=True)
class PageCounts:
    created: int
    updated: int
    unchanged: int


def categories_ensure(*, names: Iterable[str]) -> dict[str, int]:
    """Category ids by name, creating the categories that do not exist yet."""
    wanted = set(names)
    ids = dict(Category.objects.filter(name__in=wanted).values_list("name", "id"))
    missing = wanted - ids.keys()
    if missing:
        # ignore_conflicts: a concurrent page may create the same category first.
        Category.objects.bulk_create(
            [Category(name=name, slug=slugify(name)[:80] or "category") for name in sorted(missing)],
            ignore_conflicts=True,
        )
        ids = dict(Category.objects.filter(name__in=wanted).values_list("name", "id"))
    if unresolved := wanted - ids.keys():
        raise CatalogConflict(f"categories {sorted(unresolved)} clash with the slug of another category")
    return ids


def _wanted_values(item: ListedProduct, category_id: int) -> dict[str, object]:
    return {
        "sku": item.sku,
        "name": item.name,
        "description": item.description,
        "category_id": category_id,
        "price": item.price,
        "currency": item.currency,
        "is_active": True,
    }


def _products_upsert(rows: list[dict[str, object]]) -> None:
    """INSERT … ON CONFLICT (supplier_ref) DO UPDATE of the synced fields, one `executemany`.

    What `bulk_create(update_conflicts=True)` does, without compiling a 1,000-row statement
    value by value in Python (most of a page's time). An existing row keeps its quantity and
    slug: the counted stock goes through stock_set_quantity, and URLs stay stable.
    """
    meta = Product._meta
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    price = meta.get_field("price")
    inserted = ["supplier_ref", "slug", "quantity", "allocated", *SYNCED_FIELDS, "created_at", "updated_at"]
    quote = connection.ops.quote_name
    columns = [quote(meta.get_field(name.removesuffix("_id")).column) for name in inserted]
    updated = [
        quote(meta.get_field(name.removesuffix("_id")).column) for name in (*SYNCED_FIELDS, "updated_at")
    ]
    statement = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({quote(meta.get_field('supplier_ref').column)}) DO UPDATE SET "
        + ", ".join(f"{column} = excluded.{column}" for column in updated)
    )
    values = [
        [
            *(row["supplier_ref"], row["slug"], row["quantity"], 0),
            *(connection.ops.adapt_decimalfield_value(row[name], price.max_digits, price.decimal_places)
              if name == "price" else row[name] for name in SYNCED_FIELDS),
            now,
            now,
        ]
        for row in rows
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.executemany(statement, values)


def catalog_page_upsert(*, items: Sequence[ListedProduct]) -> PageCounts:
    """Create or update the page's products by supplier reference; count what changed."""
    if not items:
        return PageCounts(created=0, updated=0, unchanged=0)
    category_ids = categories_ensure(names=(item.category for item in items))
    current = {
        row["supplier_ref"]: row
        for row in Product.objects.filter(supplier_ref__in=[item.ref for item in items]).values(
            "supplier_ref", "id", "slug", "quantity", *SYNCED_FIELDS
        )
    }
    created = updated = 0
    changed: list[dict[str, object]] = []
    counted: dict[int, int] = {}
    for item in items:
        wanted = _wanted_values(item, category_ids[item.category])
        row = current.get(item.ref)
        if row is not None and row["quantity"] != item.stock:
            counted[row["id"]] = item.stock
        if row is None:
            created += 1
        elif any(row[name] != value for name, value in wanted.items()):
            updated += 1
        else:
            updated += row["id"] in counted
            continue
        # An existing row keeps its slug: the upsert's INSERT part carries it unchanged.
        slug = product_slug(name=item.name, ref=item.ref) if row is None else row["slug"]
        changed.append({"supplier_ref": item.ref, "slug": slug, "quantity": item.stock, **wanted})
    # The page's known rows it writes, locked in id order first (as stock_allocate takes them),
    # so a concurrent checkout or cancel never holds one this page waits for while it waits
    # for another this page holds (a deadlock on PostgreSQL; SQLite locks the whole file).
    written = sorted(
        {current[row["supplier_ref"]]["id"] for row in changed if row["supplier_ref"] in current}
        | counted.keys()
    )
    if written:
        list(
            Product.objects.select_for_update()
            .filter(id__in=written)
            .order_by("id")
            .values_list("id", flat=True)
        )
    if changed:
        try:
            _products_upsert(changed)
        except IntegrityError as exc:
            raise CatalogConflict(f"the page clashes with products outside the sync: {exc}") from exc
    stock_set_quantity(quantities=counted)
    return PageCounts(created=created, updated=updated, unchanged=len(items) - created - updated)


def catalog_deactivate_unlisted(*, listed_refs: set[str]) -> int:
    """Deactivate every active supplier product whose reference is not in `listed_refs`."""
    active = Product.objects.filter(supplier_ref__isnull=False, is_active=True).values_list(
        "id", "supplier_ref"
    )
    gone = [product_id for product_id, ref in active if ref not in listed_refs]
    now = timezone.now()
    for start in range(0, len(gone), DEACTIVATE_BATCH):
        Product.objects.filter(id__in=gone[start : start + DEACTIVATE_BATCH]).update(
            is_active=False, updated_at=now
        )
    return len(gone)
