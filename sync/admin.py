from django.contrib import admin

from .models import SupplierPicture, SyncPage, SyncRun


class SyncPageInline(admin.TabularInline):
    model = SyncPage
    extra = 0
    can_delete = False
    fields = ["number", "status", "products_created", "products_updated", "products_unchanged", "error",
              "recorded_at"]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    """Runs are written by the workflow only; the admin reads them."""

    list_display = ["id", "status", "trigger", "supplier_version", "pages_done", "pages_total", "pages_failed",
                    "products_created", "products_updated", "products_unchanged", "products_deactivated",
                    "pictures_fetched", "pictures_unchanged", "pictures_failed", "pictures_removed",
                    "created_at", "finished_at"]  # fmt: skip
    list_filter = ["status", "trigger"]
    readonly_fields = [f.name for f in SyncRun._meta.fields]
    inlines = [SyncPageInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SupplierPicture)
class SupplierPictureAdmin(admin.ModelAdmin):
    """What each supplier picture became; written by the sync's pictures stage only."""

    list_display = ["product_ref", "position", "outcome", "error_code", "image", "checked_run", "checked_at"]
    list_filter = ["outcome", "error_code"]
    search_fields = ["product_ref", "url"]
    readonly_fields = [f.name for f in SupplierPicture._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
