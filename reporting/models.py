"""Sales reports: one row per requested report, its period, its figures and its PDF.

Progress is not stored here: the report's Job (shop.platform.jobs) already counts finished steps,
so `Report.progress` reads it instead of keeping a second copy that could disagree.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class Report(models.Model):
    class Kind(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"
        CUSTOM = "custom", "Custom range"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        RUNNING = "running", "Running"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    class Audience(models.TextChoices):
        REQUESTER = "requester", "The requester"
        STAFF = "staff", "All staff"

    TRANSITIONS = {
        Status.PENDING: {Status.RUNNING, Status.READY, Status.FAILED},
        Status.RUNNING: {Status.READY, Status.FAILED},
        Status.READY: set(),
        Status.FAILED: set(),
    }

    kind = models.CharField(max_length=10, choices=Kind.choices)
    period_start = models.DateField(help_text="First day, in the shop's time zone.")
    period_end = models.DateField(help_text="Last day (inclusive), in the shop's time zone.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    audience = models.CharField(
        max_length=10,
        choices=Audience.choices,
        default=Audience.REQUESTER,
        help_text="Who is mailed the PDF when it is ready.",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        help_text="Empty for scheduled reports.",
    )
    pdf = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    figures = models.JSONField(default=dict, blank=True, help_text="The merged totals shown in the PDF.")
    error = models.TextField(blank=True)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__lte=models.F("period_end")), name="report_period_in_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} report {self.period_start}–{self.period_end} ({self.status})"

    @property
    def progress(self) -> int:
        """Percent of the report's workflow steps finished (aggregation, PDF, mail)."""
        if self.job is not None:
            return self.job.percent
        return 100 if self.is_ready else 0

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def day_count(self) -> int:
        return (self.period_end - self.period_start).days + 1

    def check_transition(self, to: str) -> None:
        """The one place that says which status changes are allowed."""
        if to != self.status and to not in self.TRANSITIONS[self.Status(self.status)]:
            raise ValidationError(f"Report {self.pk}: cannot go from {self.status} to {to}.")
