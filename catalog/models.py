"""The catalog: categories, products and their stock, images and the images' renditions."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Greatest

from .storage import image_storage


class Category(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    sku = models.CharField("SKU", max_length=40, unique=True)
    slug = models.SlugField(max_length=140, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    price = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.00"))]
    )
    currency = models.CharField(max_length=3, default="EUR")
    # Stock (see docs/architecture.md, "Stock"): the supplier (or staff) owns `quantity`, the
    # units on hand; open orders hold `allocated` of them (the sum of their open
    # StockAllocations); the shop sells `available`. Written only by catalog.services.
    quantity = models.PositiveIntegerField(default=0, help_text="Units on hand, as last counted.")
    allocated = models.PositiveIntegerField(default=0, help_text="Units held by open orders.")
    available = models.GeneratedField(
        expression=Greatest(F("quantity") - F("allocated"), 0),
        output_field=models.PositiveIntegerField(),
        db_persist=True,
        help_text="Units for sale: on hand minus those held, never below 0.",
    )
    is_active = models.BooleanField(default=True, db_index=True)
    supplier_ref = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="product_quantity_not_negative"),
            models.CheckConstraint(condition=Q(allocated__gte=0), name="product_allocated_not_negative"),
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"


class StockAllocation(models.Model):
    """Units of a product held for one holder (an order: "order:<id>"), open until released
    (the order failed or was cancelled) or fulfilled (it completed). Each closes once."""

    class State(models.TextChoices):
        OPEN = "open", "Open"
        RELEASED = "released", "Released"
        FULFILLED = "fulfilled", "Fulfilled"

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="allocations")
    holder = models.CharField(max_length=40)
    quantity = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["product", "id"]
        constraints = [
            models.UniqueConstraint(fields=["holder", "product"], name="allocation_once_per_holder"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="allocation_quantity_positive"),
        ]
        indexes = [models.Index(fields=["holder", "state"], name="allocation_holder_state")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id} for {self.holder} ({self.state})"


class ImageSize(models.TextChoices):
    """Rendition sizes, each the longest edge in pixels (see RENDITION_EDGES)."""

    THUMB = "thumb", "Thumbnail"
    CARD = "card", "Card"
    LARGE = "large", "Large"


class ImageFormat(models.TextChoices):
    WEBP = "webp", "WebP"
    JPEG = "jpeg", "JPEG"


# Longest edge of each rendition; an image smaller than that is never upscaled.
RENDITION_EDGES = {ImageSize.THUMB: 160, ImageSize.CARD: 480, ImageSize.LARGE: 1200}


class ProductImage(models.Model):
    """A picture of a product: the upload as it came, its normalised copy and its renditions."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    # A ready or failed image may be processed again (re-render, retry after a fix).
    TRANSITIONS = {
        Status.PENDING: {Status.PROCESSING, Status.FAILED},
        Status.PROCESSING: {Status.READY, Status.FAILED},
        Status.READY: {Status.PROCESSING},
        Status.FAILED: {Status.PROCESSING},
    }

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveIntegerField(default=0)
    original = models.FileField(max_length=255, storage=image_storage, blank=True)
    original_format = models.CharField(max_length=8, help_text="Sniffed from the content.")
    original_bytes = models.PositiveIntegerField(default=0)
    normalised = models.FileField(max_length=255, storage=image_storage, blank=True)
    width = models.PositiveIntegerField(default=0, help_text="Upright width of the original.")
    height = models.PositiveIntegerField(default=0, help_text="Upright height of the original.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    job = models.ForeignKey(
        "jobs.Job",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The latest pipeline run for this image.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product", "position", "id"]

    def __str__(self) -> str:
        return f"Image {self.pk} of {self.product_id} ({self.status})"

    def check_transition(self, to: str) -> None:
        """The one place that says which status changes are allowed."""
        if to != self.status and to not in self.TRANSITIONS[self.Status(self.status)]:
            raise ValidationError(f"Image {self.pk}: cannot go from {self.status} to {to}.")


class ImageRendition(models.Model):
    """One size × format of a ProductImage; one row per (image, size, format), re-runs overwrite."""

    image = models.ForeignKey(ProductImage, on_delete=models.CASCADE, related_name="renditions")
    size = models.CharField(max_length=8, choices=ImageSize.choices)
    format = models.CharField(max_length=8, choices=ImageFormat.choices)
    file = models.FileField(max_length=255, storage=image_storage)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    bytes = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["image", "size", "format"]
        constraints = [
            models.UniqueConstraint(fields=["image", "size", "format"], name="rendition_unique_per_image")
        ]

    def __str__(self) -> str:
        return f"{self.size}.{self.format} of image {self.image_id}"
