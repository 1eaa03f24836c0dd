"""Products the scenarios need, in a category of their own per scenario, created once."""

from __future__ import annotations

from decimal import Decimal

from catalog import storage
from catalog.models import Category, ImageFormat, ImageRendition, ImageSize, Product, ProductImage
from catalog.rendering import FILE_EXTENSIONS


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


def with_pictures(products: list[Product]) -> None:
    """One ready picture with its six renditions for each product that has none, as the shop
    serves them: rows only (a product list names the files, it never reads them)."""
    bare = [product for product in products if not product.images.exists()]
    images = ProductImage.objects.bulk_create(
        ProductImage(product=product, original_format="JPEG", original_bytes=500_000, width=2048,
                     height=1536, status=ProductImage.Status.READY)
        for product in bare
    )  # fmt: skip
    ImageRendition.objects.bulk_create(
        ImageRendition(image=image, size=size, format=image_format, width=480, height=360, bytes=20_000,
                       file=storage.rendition_name(image.id, size, FILE_EXTENSIONS[ImageFormat(image_format)]))
        for image in images
        for size in ImageSize
        for image_format in ImageFormat
    )  # fmt: skip
