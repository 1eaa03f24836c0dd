"""Reads of the supplier sync."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import SyncPage, SyncRun


def sync_run_list() -> QuerySet[SyncRun]:
    """Runs, newest first, with what their summaries show."""
    return SyncRun.objects.select_related("job", "requested_by")


def sync_run_detail_list() -> QuerySet[SyncRun]:
    """Runs with their pages (without the pages' reference lists, which only `finish` reads)."""
    return sync_run_list().prefetch_related(Prefetch("pages", queryset=SyncPage.objects.defer("refs")))
