"""The catalog's writer for listed products: what it creates, updates, leaves alone, refuses."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils.text import slugify

from catalog.models import Product
from catalog.upsert import CatalogConflict, catalog_page_upsert
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Listed:
    ref: str
    sku: str
    name: str
    category: str
    price: Decimal
    stock: int
    description: str = ""
    currency: str = "EUR"


def test_new_changed_and_unchanged_products_are_counted_and_written_once():
    apples = Listed(ref="r-1", sku="UP-1", name="Apples", category="Fruit", price=Decimal("1.10"), stock=5)
    pears = Listed(ref="r-2", sku="UP-2", name="Pears", category="Fruit", price=Decimal("0.29"), stock=7)
    counts = catalog_page_upsert(items=[apples, pears])
    assert (counts.created, counts.updated, counts.unchanged) == (2, 0, 0)
    first = {p.supplier_ref: p for p in Product.objects.filter(supplier_ref__in=["r-1", "r-2"])}

    renamed = replace(apples, name="Red apples", price=Decimal("1.20"), stock=9)
    counts = catalog_page_upsert(items=[renamed, pears])

    assert (counts.created, counts.updated, counts.unchanged) == (0, 1, 1)
    now = {p.supplier_ref: p for p in Product.objects.filter(supplier_ref__in=["r-1", "r-2"])}
    assert (now["r-1"].name, now["r-1"].price, now["r-1"].quantity) == ("Red apples", Decimal("1.20"), 9)
    assert now["r-1"].slug == first["r-1"].slug  # set once, at creation
    assert now["r-1"].updated_at > first["r-1"].updated_at
    assert (now["r-2"].price, now["r-2"].updated_at) == (Decimal("0.29"), first["r-2"].updated_at)
    assert now["r-1"].category_id == now["r-2"].category_id


def test_a_sku_another_product_has_is_a_conflict_and_writes_nothing():
    ProductFactory(sku="TAKEN-1")
    clash = Listed(ref="r-9", sku="TAKEN-1", name="Plums", category="Fruit", price=Decimal("2"), stock=1)

    with pytest.raises(CatalogConflict), transaction.atomic():  # callers own the transaction
        catalog_page_upsert(items=[clash])

    assert not Product.objects.filter(supplier_ref="r-9").exists()


@pytest.mark.parametrize(
    ("name", "ref"),
    [
        ("Apples", "r-10"),
        ("  --Crunchy, sweet & sour!__ ", "SUP_000123"),
        ("Tab\tand  double  spaces", "r/11"),
        ("Äpfel über Köln", "réf-12"),
        ("苹果", "r-13"),
        ("x" * 120, "r-14"),
    ],
)
def test_a_created_products_slug_is_djangos_slugify_of_its_name_and_reference(name, ref):
    catalog_page_upsert(items=[Listed(ref=ref, sku=f"SL-{ref}", name=name, category="Fruit",
                                      price=Decimal("1"), stock=1)])  # fmt: skip
    assert Product.objects.get(supplier_ref=ref).slug == f"{slugify(name)[:100]}-{slugify(ref)}"[:140]
