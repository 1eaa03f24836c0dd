from __future__ import annotations

from rest_framework import serializers

from shop.api_urls import absolute_url
from shop.platform.jobs.serializers import JobSummarySerializer

from .models import Category, ImageRendition, Product, ProductImage


class CategorySerializer(serializers.ModelSerializer):
    product_count = serializers.IntegerField(read_only=True, help_text="Active products in it.")

    class Meta:
        model = Category
        fields = ["id", "name", "slug", "position", "product_count"]


class CategoryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug"]


class ImageRenditionSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ImageRendition
        fields = ["size", "format", "width", "height", "bytes", "url"]

    def get_url(self, rendition: ImageRendition) -> str:
        return absolute_url(self.context, rendition.file.url)


class ProductImageSerializer(serializers.ModelSerializer):
    renditions = ImageRenditionSerializer(many=True, read_only=True)

    class Meta:
        model = ProductImage
        fields = ["id", "position", "status", "width", "height", "renditions"]


class ProductImageProgressSerializer(ProductImageSerializer):
    """An image being processed, as staff see it: why it failed and the Job to follow."""

    job = JobSummarySerializer(read_only=True)

    class Meta(ProductImageSerializer.Meta):
        fields = [*ProductImageSerializer.Meta.fields, "error", "original_format", "job"]


class ProductSerializer(serializers.ModelSerializer):
    category = CategoryRefSerializer(read_only=True)
    stock = serializers.IntegerField(
        source="available", read_only=True,
        help_text="Units for sale: on hand minus those held by open orders, never below 0.",
    )  # fmt: skip
    images = ProductImageSerializer(many=True, read_only=True)
    pictures_pending = serializers.BooleanField(
        read_only=True, help_text="Pictures are still being rendered; they appear in `images` when ready."
    )

    class Meta:
        model = Product
        fields = ["id", "sku", "slug", "name", "description", "category", "price", "currency",
                  "stock", "is_active", "created_at", "updated_at", "images", "pictures_pending"]  # fmt: skip


class StaffProductSerializer(ProductSerializer):
    images = ProductImageProgressSerializer(many=True, read_only=True)

    class Meta(ProductSerializer.Meta):
        fields = [*ProductSerializer.Meta.fields, "quantity", "allocated", "supplier_ref"]


class ProductImageUploadSerializer(serializers.Serializer):
    image = serializers.FileField(
        help_text="A JPEG, PNG, GIF or WebP file (the type is read from the content, not the name)."
    )
