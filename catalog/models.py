"""The catalog: categories, products, their images and the images' renditions."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

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
    stock = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True, db_index=True)
    supplier_ref = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="product_stock_not_negative"),
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"


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
