"""Products the scenarios need, in a category of their own per scenario, created once."""

from __future__ import annotations

from decimal import Decimal

from catalog.models import Category, Product


def bench_products(
    scenario: str, count: int, *, price: Decimal = Decimal("2.50"), quantity: int = 0
) -> list[Product]:
    category, _ = Category.objects.get_or_create(
        slug=f"bench-{scenario}", defaults={"name": f"Bench {scenario}"}
    )
    skus = [f"BENCH-{scenario.upper()}-{n:04d}" for n in range(count)]
    have = set(Product.objects.filter(sku__in=skus).values_list("sku", flat=True))
    Product.objects.bulk_create(
        Product(sku=sku, slug=sku.lower(), name=f"Bench {scenario} item {n}", category=category, price=price,
                quantity=quantity, description=f"A product of the {scenario} benchmark.")
        for n, sku in enumerate(skus) if sku not in have
    )  # fmt: skip
    return list(Product.objects.filter(sku__in=skus).order_by("sku"))
