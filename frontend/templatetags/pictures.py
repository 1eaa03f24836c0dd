"""Product pictures from the catalog's renditions: WebP with a JPEG fallback, lazy-loaded."""

from __future__ import annotations

from django import template

from catalog.models import ImageFormat, ImageSize, Product

register = template.Library()


def _renditions(product: Product, size: str) -> dict[str, object]:
    """{format: rendition} of the product's first ready image at `size` (prefetched rows)."""
    for image in product.images.all():
        found = {r.format: r for r in image.renditions.all() if r.size == size}
        if found:
            return found
    return {}


@register.inclusion_tag("frontend/includes/picture.html")
def product_picture(product: Product, size: str = ImageSize.CARD, eager: bool = False):
    renditions = _renditions(product, size)
    return {
        "product": product,
        "webp": renditions.get(ImageFormat.WEBP),
        "jpeg": renditions.get(ImageFormat.JPEG),
        "eager": eager,
        "size": size,
        # Pictures still rendering: pictures.js swaps the placeholder in when they are ready.
        "pending": getattr(product, "pictures_pending", False),
        # Products without a picture yet get a placeholder tinted by their category.
        "hue": 95 + 37 * (product.category_id % 6),
    }


@register.simple_tag
def thumbnail_url(product: Product) -> str:
    rendition = _renditions(product, ImageSize.THUMB).get(ImageFormat.JPEG)
    return rendition.file.url if rendition else ""
