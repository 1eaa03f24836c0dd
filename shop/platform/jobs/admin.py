from django.contrib import admin
from django.utils.html import format_html

from .models import Job, JobStep


class JobStepInline(admin.TabularInline):
    model = JobStep
    extra = 0
    can_delete = False
    fields = ["position", "name", "queue", "priority", "role", "state", "retries", "error",
              "started_at", "finished_at", "flower"]  # fmt: skip
    readonly_fields = fields

    @admin.display(description="Flower")
    def flower(self, step: JobStep) -> str:
        return format_html('<a href="{}" target="_blank" rel="noopener">task</a>', step.flower_url)

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "subject", "status", "progress", "priority", "dispatch_state",
                    "created_at", "finished_at"]  # fmt: skip
    list_filter = ["kind", "status", "dispatch_state", "priority"]
    search_fields = ["subject", "steps__task_id"]
    readonly_fields = [f.name for f in Job._meta.fields]
    inlines = [JobStepInline]
    date_hierarchy = "created_at"

    @admin.display(description="Progress")
    def progress(self, job: Job) -> str:
        return f"{job.progress_done}/{job.progress_total}"

    def has_add_permission(self, request) -> bool:
        return False
