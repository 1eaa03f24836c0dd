from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from .models import Order, OrderLine, OrderStepRecord, Payment


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = readonly_fields = ["product", "product_name", "sku", "quantity", "unit_price", "line_total"]


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = readonly_fields = ["idempotency_key", "amount", "currency", "status", "gateway_reference",
                                "refund_reference", "error", "created_at"]  # fmt: skip


class OrderStepRecordInline(ReadOnlyInline):
    model = OrderStepRecord
    verbose_name_plural = "effects recorded (once per step)"
    fields = readonly_fields = ["step", "result", "created_at"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "customer", "status", "express", "total", "placed_at", "job_link"]
    list_filter = ["status", "express"]
    search_fields = ["number", "customer__username", "customer__email"]
    date_hierarchy = "placed_at"
    readonly_fields = [f.name for f in Order._meta.fields if f.name != "job"] + ["job_link"]
    exclude = ["job"]
    inlines = [OrderLineInline, PaymentInline, OrderStepRecordInline]

    @admin.display(description="Job")
    def job_link(self, order: Order) -> str:
        if order.job_id is None:
            return "-"
        url = reverse("admin:jobs_job_change", args=[order.job_id])
        return format_html('<a href="{}">Job {} ({})</a>', url, order.job_id, order.job.status)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("customer", "job")

    def has_add_permission(self, request) -> bool:
        return False
