"""Supplier sync runs, the pages each run applied, and the supplier's pictures the shop holds."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone


class SyncRun(models.Model):
    """One pass over the supplier's catalog, pinned to the catalog version it started on.

    Ends SUCCEEDED (every page applied, unlisted products deactivated, then the pictures
    synced: a picture that fails is counted, never fails the run), PARTIAL (some pages
    failed: the applied pages stay — each page is its own transaction — and nothing is
    deactivated, because the listing is incomplete) or FAILED (nothing could be applied:
    the first page failed, or the run was abandoned).
    """

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        PARTIAL = "partial", "Partly failed"
        FAILED = "failed", "Failed"

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Schedule"
        STAFF = "staff", "Staff"

    FINISHED = frozenset({Status.SUCCEEDED, Status.PARTIAL, Status.FAILED})

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.STAFF)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    page_size = models.PositiveIntegerField()
    supplier_version = models.PositiveIntegerField(null=True, blank=True)
    listed_total = models.PositiveIntegerField(
        null=True, blank=True, help_text="Products the supplier lists."
    )
    pages_total = models.PositiveIntegerField(null=True, blank=True)
    pages_done = models.PositiveIntegerField(default=0)
    pages_failed = models.PositiveIntegerField(default=0)
    products_created = models.PositiveIntegerField(default=0)
    products_updated = models.PositiveIntegerField(default=0)
    products_unchanged = models.PositiveIntegerField(default=0)
    products_deactivated = models.PositiveIntegerField(default=0)
    pictures_fetched = models.PositiveIntegerField(default=0, help_text="New or changed, downloaded.")
    pictures_unchanged = models.PositiveIntegerField(default=0, help_text="Not modified (304).")
    pictures_failed = models.PositiveIntegerField(
        default=0, help_text="Refused or unreachable: retried next run."
    )
    pictures_removed = models.PositiveIntegerField(default=0, help_text="No longer listed: deleted.")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    progressed_at = models.DateTimeField(null=True, blank=True, help_text="Last page applied or failed.")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The database's own guard behind the Redis lock: one running sync at most.
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="running"), name="sync_one_running_run"
            )
        ]

    def __str__(self) -> str:
        return f"sync run {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def duration(self) -> timedelta | None:
        if self.started_at is None:
            return None
        return (self.finished_at or timezone.now()) - self.started_at

    def is_stale(self, *, now=None) -> bool:
        """Running with no progress for SUPPLIER_SYNC_STALE_SECONDS (its worker died)."""
        last = self.progressed_at or self.started_at or self.created_at
        limit = timedelta(seconds=settings.SUPPLIER_SYNC_STALE_SECONDS)
        return self.status == self.Status.RUNNING and (now or timezone.now()) - last > limit

    def check_transition(self, to: str) -> None:
        """Only a running run changes status; a finished one stays as it ended."""
        if to != self.status and self.status != self.Status.RUNNING:
            raise ValidationError(f"Sync run {self.pk}: cannot go from {self.status} to {to}.")


class SyncPage(models.Model):
    """One page of a run, recorded in the transaction that applied it: at most once per run."""

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        FAILED = "failed", "Failed"

    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices)
    products_created = models.PositiveIntegerField(default=0)
    products_updated = models.PositiveIntegerField(default=0)
    products_unchanged = models.PositiveIntegerField(default=0)
    refs = models.JSONField(default=list, help_text="Supplier references listed on this page.")
    pictures = models.JSONField(default=dict, help_text="Picture URLs by reference, for the pictures stage.")
    error = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "number"]
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="sync_page_once_per_run")]

    def __str__(self) -> str:
        return f"run {self.run_id} page {self.number} ({self.status})"


class SupplierPicture(models.Model):
    """One picture the supplier lists for a product, and what the shop made of it.

    `etag` and `last_modified` are the validators of the picture that became `image`, so the
    next run asks with a conditional GET; a refused or unreachable picture keeps the last good
    ones (and the last good image) and is tried again by the next run.
    """

    class Outcome(models.TextChoices):
        FETCHED = "fetched", "Fetched"
        UNCHANGED = "unchanged", "Unchanged"
        FAILED = "failed", "Failed"

    product_ref = models.CharField(max_length=64, db_index=True)
    url = models.CharField(max_length=500)
    position = models.PositiveIntegerField(default=0, help_text="Its place in the supplier's list.")
    etag = models.CharField(max_length=200, blank=True)
    last_modified = models.CharField(max_length=64, blank=True)
    image = models.ForeignKey(
        "catalog.ProductImage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_run = models.ForeignKey(
        SyncRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error = models.TextField(blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["product_ref", "position"]
        constraints = [
            models.UniqueConstraint(fields=["product_ref", "url"], name="sync_picture_once_per_product")
        ]

    def __str__(self) -> str:
        return f"{self.product_ref} picture {self.position + 1} ({self.outcome or 'new'})"
