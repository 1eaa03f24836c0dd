"""Reads of the catalog. Each list is a fixed number of queries, whatever its length."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping
from functools import reduce

import django_filters
from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils.text import smart_split, unescape_string_literal

from shop.platform.errors import InvalidInput

from .models import Category, ImageRendition, Product, ProductImage

# What `product_search` (the API's product list and the storefront) searches and sorts by.
SEARCH_FIELDS = ("name", "description", "sku")
ORDERING_FIELDS = ("name", "price", "stock", "created_at")


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


# The largest primary key a 64-bit integer column holds.
MAX_ID = 2**63 - 1


class NumberInFilter(django_filters.BaseInFilter, django_filters.NumberFilter):
    """A comma-separated list of numbers."""


class ProductFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(field_name="category__slug", help_text="A category's slug.")
    ids = NumberInFilter(
        field_name="id",
        help_text="Only these products: ids, comma-separated.",
        min_value=1,
        max_value=MAX_ID,  # a larger number is no id, and the database cannot even compare it
    )

    class Meta:
        model = Product
        fields = ["category", "ids"]


def _first_error(errors: Mapping[str, list[str]]) -> str:
    field, messages = next(iter(errors.items()))
    return f"{field}: {messages[0]}"


def _search_terms(search: str) -> list[str]:
    """Words and "quoted phrases", split on spaces and commas (as DRF's SearchFilter splits them)."""
    if "\x00" in search:
        raise InvalidInput("Null characters are not allowed.", details=["Null characters are not allowed."])
    terms = []
    for term in smart_split(search):
        term = term.strip(",")
        if term.startswith(('"', "'")) and term[0] == term[-1]:
            terms.append(unescape_string_literal(term))
        else:
            terms.extend(word.strip() for word in term.split(",") if word)
    return terms


def product_search(*, query: Mapping[str, str], unpublished: bool = False) -> QuerySet[Product]:
    """`product_list` filtered, searched and sorted by a query string's parameters: `category`
    (slug), `ids` (comma-separated), `search` (every word in the name, description or SKU) and
    `ordering` (fields of ORDERING_FIELDS, `-` for descending; unknown ones are ignored; by
    default SHOWCASE_ORDERING). Raises InvalidInput, in the API's words, for input it refuses.
    """
    filterset = ProductFilter(query, queryset=product_list(unpublished=unpublished))
    if not filterset.is_valid():
        raise InvalidInput(_first_error(filterset.errors), details=filterset.errors)
    products = filterset.qs
    if terms := _search_terms(query.get("search", "")):
        products = products.filter(
            reduce(
                operator.and_,
                (reduce(operator.or_, (Q(**{f"{field}__icontains": term}) for field in SEARCH_FIELDS))
                 for term in terms),
            )
        )  # fmt: skip
    requested = [field.strip() for field in query.get("ordering", "").split(",")]
    ordering = [field for field in requested if field.removeprefix("-") in ORDERING_FIELDS]
    return products.order_by(*(ordering or SHOWCASE_ORDERING))


def products_without_images() -> QuerySet[Product]:
    return Product.objects.filter(images__isnull=True)


def product_images(*, product_ids: list[int] | None = None) -> QuerySet[ProductImage]:
    """Images that have an original to process, optionally only those of some products."""
    images = ProductImage.objects.exclude(original="").order_by("id")
    return images if product_ids is None else images.filter(product_id__in=product_ids)


def products_by_id(*, ids: Iterable[int]) -> dict[int, Product]:
    return Product.objects.in_bulk(list(ids))


def products_by_supplier_ref(*, refs: Iterable[str]) -> dict[str, Product]:
    return {product.supplier_ref: product for product in Product.objects.filter(supplier_ref__in=list(refs))}
