"""Reads of the catalog. Each list is a fixed number of queries, whatever its length."""

from __future__ import annotations

from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value, When

from .models import Category, ImageRendition, Product, ProductImage


def category_list() -> QuerySet[Category]:
    # Aggregating drops Meta.ordering (GROUP BY), so the order is restated for pagination.
    return Category.objects.annotate(
        product_count=Count("products", filter=Q(products__is_active=True))
    ).order_by("position", "name")


def _images(*, unpublished: bool) -> QuerySet[ProductImage]:
    images = ProductImage.objects.prefetch_related(
        Prefetch("renditions", queryset=ImageRendition.objects.order_by("size", "format"))
    )
    # Staff see every image with the Job that processes it; shoppers only finished ones.
    return images.select_related("job") if unpublished else images.filter(status=ProductImage.Status.READY)


# The storefront's default order: products in stock with a ready picture first, then the
# rest, each by name (docs/architecture.md, "Catalog and images").
SHOWCASE_ORDERING = ["showcase", "name", "id"]


def _pictures(*statuses: str) -> Exists:
    return Exists(ProductImage.objects.filter(product=OuterRef("pk"), status__in=statuses))


def product_list(*, unpublished: bool = False) -> QuerySet[Product]:
    """Products with their category, images and renditions: four queries for any page.

    `unpublished` (staff) adds inactive products and images that are not ready yet. Each
    product says whether pictures are still rendering (`pictures_pending`); `stock` (the API's
    name for `available`) and `showcase` (0: in stock with a ready picture) can order them.
    """
    Status = ProductImage.Status
    products = (
        Product.objects.select_related("category")
        .prefetch_related(Prefetch("images", queryset=_images(unpublished=unpublished)))
        .annotate(pictures_pending=_pictures(Status.PENDING, Status.PROCESSING))
        .alias(
            stock=F("available"),
            showcase=Case(When(_pictures(Status.READY), available__gt=0, then=Value(0)), default=Value(1)),
        )
    )
    return products if unpublished else products.filter(is_active=True)


def products_without_images() -> QuerySet[Product]:
    return Product.objects.filter(images__isnull=True)


def product_images(*, product_ids: list[int] | None = None) -> QuerySet[ProductImage]:
    """Images that have an original to process, optionally only those of some products."""
    images = ProductImage.objects.exclude(original="").order_by("id")
    return images if product_ids is None else images.filter(product_id__in=product_ids)
