"""Sync tasks (queue `sync`, routed in shop/celery.py): thin, ids only, retry policy here.

Only transient supplier errors are retried: exponential backoff with full jitter, capped,
and never sooner than the supplier's Retry-After. A step that gives up is recorded on the
run by `on_failure` (the Job records it by itself).
"""

from __future__ import annotations

import random

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from catalog.storage import StorageUnavailable
from shop.jobs.tracking import TrackedTask

from . import pictures, services
from .client import TransientSupplierError
from .errors import PagesOutstanding, SyncAlreadyRunning
from .models import SyncRun

MAX_RETRIES = 6
# Worth another try for the pictures too: a busy database, image storage that may come back.
LOCAL_TRANSIENT_ERRORS = (OperationalError, InterfaceError, StorageUnavailable)


def retry_countdown(*, retries: int, retry_after: float | None) -> float:
    """Seconds before the next attempt: full-jitter backoff, or the supplier's Retry-After
    plus a little jitter (so throttled workers do not all come back at once); both capped."""
    cap = settings.SUPPLIER_RETRY_BACKOFF_MAX
    if retry_after is not None:
        return min(cap, retry_after + random.uniform(0, settings.SUPPLIER_RETRY_BACKOFF))
    return random.uniform(0, min(cap, settings.SUPPLIER_RETRY_BACKOFF * 2**retries))


class SyncTask(TrackedTask):
    """Records a sync step's final failure on its run: a failed page, or a failed run."""

    abstract = True

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        services.sync_step_failed(
            run_id=kwargs["run_id"], number=kwargs.get("number"), error=f"{type(exc).__name__}: {exc}"
        )


def _retry_transient(task, call, **kwargs) -> None:
    try:
        call(**kwargs)
    except TransientSupplierError as exc:
        countdown = retry_countdown(retries=task.request.retries, retry_after=exc.retry_after)
        raise task.retry(exc=exc, countdown=countdown) from exc


@shared_task(bind=True, base=SyncTask, max_retries=MAX_RETRIES, soft_time_limit=60, time_limit=90)
def sync_run_begin_task(self, *, run_id: int) -> None:
    _retry_transient(self, services.sync_run_begin, run_id=run_id)


@shared_task(bind=True, base=SyncTask, max_retries=MAX_RETRIES, soft_time_limit=60, time_limit=90)
def sync_page_apply_task(self, *, run_id: int, number: int) -> int:
    """Returns the page number only: a chord header result must be small, and the same on
    a redelivery (the chord counts distinct results)."""
    _retry_transient(self, services.sync_page_apply, run_id=run_id, number=number)
    return number


@shared_task(
    bind=True,
    base=SyncTask,
    autoretry_for=(PagesOutstanding,),
    retry_backoff=1,
    retry_backoff_max=30,
    max_retries=10,
    soft_time_limit=60,
    time_limit=90,
)
def sync_run_finish_task(self, *, run_id: int) -> None:
    services.sync_run_finish(run_id=run_id)


@shared_task(bind=True, base=SyncTask, soft_time_limit=30, time_limit=45)
def sync_run_abort_task(self, *, run_id: int) -> None:
    services.sync_run_abort(run_id=run_id)


@shared_task(bind=True, base=TrackedTask, max_retries=MAX_RETRIES, soft_time_limit=240, time_limit=300)
def sync_page_pictures_task(self, *, run_id: int, number: int) -> int:
    """The pictures of one page. A picture server that times out or answers 5xx/429 is retried
    with the pages' backoff; after the last retry what is left counts as failed (never the run)."""
    try:
        pictures.page_pictures_sync(
            run_id=run_id, number=number, final_attempt=self.request.retries >= MAX_RETRIES
        )
    except (pictures.PicturesOutstanding, *LOCAL_TRANSIENT_ERRORS) as exc:
        countdown = retry_countdown(
            retries=self.request.retries, retry_after=getattr(exc, "retry_after", None)
        )
        raise self.retry(exc=exc, countdown=countdown) from exc
    return number


@shared_task(bind=True, base=TrackedTask, soft_time_limit=30, time_limit=45)
def sync_pictures_finish_task(self, *, run_id: int, stopped: bool = False) -> None:
    """Close the run once its pictures are synced (`stopped`: the stage ended early)."""
    services.sync_pictures_finish(run_id=run_id, stopped=stopped)


@shared_task(ignore_result=True, soft_time_limit=30, time_limit=45)
def sync_run_request_task() -> int | None:
    """The beat trigger: start a scheduled sync unless one is running. Returns the run id."""
    try:
        return services.sync_run_request(trigger=SyncRun.Trigger.SCHEDULE).pk
    except SyncAlreadyRunning as exc:
        return exc.run.pk if exc.run else None
