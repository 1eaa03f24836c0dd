"""Reads of the catalog. Each list is a fixed number of queries, whatever its length."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

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


def product_list(*, unpublished: bool = False) -> QuerySet[Product]:
    """Products with their category, images and renditions: four queries for any page.

    `unpublished` (staff) adds inactive products and images that are not ready yet.
    """
    products = Product.objects.select_related("category").prefetch_related(
        Prefetch("images", queryset=_images(unpublished=unpublished))
    )
    return products if unpublished else products.filter(is_active=True)


def products_without_images() -> QuerySet[Product]:
    return Product.objects.filter(images__isnull=True)


def product_images(*, product_ids: list[int] | None = None) -> QuerySet[ProductImage]:
    """Images that have an original to process, optionally only those of some products."""
    images = ProductImage.objects.exclude(original="").order_by("id")
    return images if product_ids is None else images.filter(product_id__in=product_ids)
