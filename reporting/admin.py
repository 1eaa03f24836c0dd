from django.contrib import admin
from django.utils.html import format_html

from .models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "period_start",
        "period_end",
        "status",
        "progress_percent",
        "audience",
        "requested_by",
        "requested_at",
        "finished_at",
        "pdf_link",
    ]
    list_filter = ["kind", "status", "audience"]
    search_fields = ["requested_by__username", "error"]
    date_hierarchy = "requested_at"
    list_select_related = ["job", "requested_by"]
    readonly_fields = [f.name for f in Report._meta.fields] + ["progress_percent", "pdf_link"]

    @admin.display(description="Progress")
    def progress_percent(self, report: Report) -> str:
        return f"{report.progress}%"

    @admin.display(description="PDF")
    def pdf_link(self, report: Report) -> str:
        if not report.pdf:
            return "—"
        return format_html('<a href="{}" target="_blank" rel="noopener">download</a>', report.pdf.url)

    def has_add_permission(self, request) -> bool:
        return False  # Reports are requested through the API or the staff console, which start the workflow.
