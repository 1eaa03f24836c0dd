"""Job tracking: every workflow run, its steps, progress, errors and dispatch (the outbox)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

PRIORITY_CHOICES = [
    ("critical", "Critical"),
    ("high", "High"),
    ("normal", "Normal"),
    ("low", "Low"),
    ("bulk", "Bulk"),
]


class Job(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    class DispatchState(models.TextChoices):
        PENDING = "pending", "Waiting for the broker"
        DISPATCHING = "dispatching", "Being sent"
        DISPATCHED = "dispatched", "Sent"

    FINISHED = frozenset({Status.SUCCEEDED, Status.FAILED, Status.CANCELLED})
    TRANSITIONS = {
        Status.PENDING: {Status.RUNNING, Status.SUCCEEDED, Status.FAILED, Status.CANCELLED},
        Status.RUNNING: {Status.SUCCEEDED, Status.FAILED, Status.CANCELLED},
        Status.SUCCEEDED: set(),
        Status.FAILED: set(),
        Status.CANCELLED: set(),
    }

    kind = models.CharField(max_length=40, db_index=True)
    subject = models.CharField(max_length=120, db_index=True, help_text="e.g. order:42")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    priority = models.CharField(max_length=10, choices=PRIORITY_CHOICES, default="normal")
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    canvas = models.JSONField(default=dict, help_text="The workflow's shape, for the diagram.")
    signature = models.JSONField(default=dict, help_text="The serialised canvas (the outbox).")
    request_id = models.CharField(max_length=64, blank=True)
    dispatch_state = models.CharField(
        max_length=12, choices=DispatchState.choices, default=DispatchState.PENDING, db_index=True
    )
    dispatch_attempts = models.PositiveIntegerField(default=0)
    dispatch_error = models.TextField(blank=True)
    dispatch_claimed_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Last step activity (start, retry, success, failure): how a stalled workflow is told
    # apart from a slow one (shop.platform.jobs.dispatch.job_redispatch).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["dispatch_state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent(self) -> int:
        return round(100 * self.progress_done / self.progress_total) if self.progress_total else 0

    def check_transition(self, to: str) -> None:
        """The one place that says which status changes are allowed."""
        if to != self.status and to not in self.TRANSITIONS[self.Status(self.status)]:
            raise ValidationError(f"Job {self.pk}: cannot go from {self.status} to {to}.")


class JobStep(models.Model):
    """One task of a Job's canvas. Its task id is assigned before dispatch."""

    class State(models.TextChoices):
        PENDING = "PENDING", "Waiting"
        STARTED = "STARTED", "Running"
        RETRY = "RETRY", "Retrying"
        SUCCESS = "SUCCESS", "Done"
        FAILURE = "FAILURE", "Failed"
        REVOKED = "REVOKED", "Revoked"

    class Role(models.TextChoices):
        STEP = "step", "Step"
        ON_ERROR = "on_error", "Runs on failure"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=80)
    task_name = models.CharField(max_length=200)
    task_id = models.CharField(max_length=64, unique=True)
    queue = models.CharField(max_length=40)
    priority = models.CharField(max_length=10, choices=PRIORITY_CHOICES, default="normal")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.STEP)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    retries = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "position"]
        constraints = [models.UniqueConstraint(fields=["job", "position"], name="jobstep_unique_position")]

    def __str__(self) -> str:
        return f"{self.name} [{self.state}]"

    @property
    def flower_url(self) -> str:
        return f"{settings.FLOWER_URL}/task/{self.task_id}"
