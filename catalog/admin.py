from django.contrib import admin, messages
from django.db.models import QuerySet
from django.utils.html import format_html

from . import selectors, services
from .models import Category, ImageFormat, ImageRendition, ImageSize, Product, ProductImage, StockAllocation


def _thumbnail(image: ProductImage) -> str:
    thumb = next(
        (r for r in image.renditions.all() if r.size == ImageSize.THUMB and r.format == ImageFormat.JPEG),
        None,
    )
    if thumb is None:
        return "—"
    return format_html('<img src="{}" width="{}" height="{}" alt="">', thumb.file.url, thumb.width // 2,
                       thumb.height // 2)  # fmt: skip


def _rerender(modeladmin: admin.ModelAdmin, request, images: QuerySet[ProductImage]) -> None:
    jobs = services.images_rerender(images=images, owner=request.user)
    modeladmin.message_user(request, f"Re-rendering {len(jobs)} image(s) at low priority.", messages.SUCCESS)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ["preview", "position", "status", "width", "height", "error", "job"]
    readonly_fields = ["preview", "status", "width", "height", "error", "job"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("renditions")

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # uploads go through the API, which validates them and starts the pipeline

    @admin.display(description="Preview")
    def preview(self, image: ProductImage) -> str:
        return _thumbnail(image)


class OpenAllocationInline(admin.TabularInline):
    model = StockAllocation
    verbose_name_plural = "units held by open orders"
    extra = 0
    can_delete = False
    fields = ["holder", "quantity", "created_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).filter(state=StockAllocation.State.OPEN)

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "sku", "category", "price", "currency", "quantity", "allocated", "available",
                    "is_active", "updated_at"]  # fmt: skip
    list_filter = ["is_active", "category"]
    list_select_related = ["category"]
    search_fields = ["name", "sku", "supplier_ref"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["allocated", "available", "created_at", "updated_at"]
    inlines = [ProductImageInline, OpenAllocationInline]
    actions = ["rerender_images"]

    def get_readonly_fields(self, request, obj=None):
        # The supplier counts its products' stock; the next sync would overwrite an edit.
        supplier_owned = ["quantity"] if obj is not None and obj.supplier_ref else []
        return [*supplier_owned, *self.readonly_fields]

    def save_model(self, request, obj: Product, form, change: bool) -> None:
        if not change:
            obj.save()  # a new product: nothing is held yet
            return
        # Never write back `allocated` as the form loaded it: orders may have moved it since.
        fields = [name for name in form.changed_data if name != "quantity"]
        if fields:
            obj.save(update_fields=[*fields, "updated_at"])
        if "quantity" in form.changed_data:
            services.stock_set_quantity(quantities={obj.id: obj.quantity})

    @admin.action(description="Re-render the images of the selected products (low priority)")
    def rerender_images(self, request, queryset: QuerySet[Product]) -> None:
        product_ids = list(queryset.values_list("id", flat=True))
        _rerender(self, request, selectors.product_images(product_ids=product_ids))


class ImageRenditionInline(admin.TabularInline):
    model = ImageRendition
    extra = 0
    can_delete = False
    fields = ["size", "format", "width", "height", "bytes", "file", "updated_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ProductImage)
class ProductImageAdmin(admin.ModelAdmin):
    list_display = ["id", "preview", "product", "position", "status", "original_format", "width", "height",
                    "updated_at"]  # fmt: skip
    list_filter = ["status", "original_format"]
    list_select_related = ["product"]
    search_fields = ["product__name", "product__sku"]
    readonly_fields = ["product", "original", "original_format", "original_bytes", "normalised", "width",
                       "height", "status", "error", "job", "created_at", "updated_at"]  # fmt: skip
    inlines = [ImageRenditionInline]
    actions = ["rerender_images"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("renditions")

    def has_add_permission(self, request) -> bool:
        return False  # uploads go through the API, which validates them and starts the pipeline

    @admin.display(description="Preview")
    def preview(self, image: ProductImage) -> str:
        return _thumbnail(image)

    @admin.action(description="Re-render the selected images (low priority)")
    def rerender_images(self, request, queryset: QuerySet[ProductImage]) -> None:
        _rerender(self, request, queryset)


@admin.register(ImageRendition)
class ImageRenditionAdmin(admin.ModelAdmin):
    list_display = ["id", "image", "size", "format", "width", "height", "bytes", "updated_at"]
    list_filter = ["size", "format"]
    readonly_fields = ["image", "size", "format", "file", "width", "height", "bytes", "updated_at"]

    def has_add_permission(self, request) -> bool:
        return False  # renditions are made by the pipeline
