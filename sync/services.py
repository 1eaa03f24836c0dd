"""Writes of the supplier sync: start a run, apply its pages, finish or abort it.

Every step is safe to run twice (Celery delivers at least once): a page is recorded in the
transaction that applies it, at most once per run; a finished run never changes again; and
only a complete listing may deactivate anything.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from redis.exceptions import LockError, RedisError

from catalog.upsert import catalog_deactivate_unlisted, catalog_page_upsert
from shop.celery import Priority
from shop.platform.coordination import lock
from shop.platform.jobs.services import job_cancel, workflow_extend, workflow_start

from . import workflows
from .client import PermanentSupplierError, SupplierClient, SupplierPage, TransientSupplierError
from .errors import PagesOutstanding, SupplierRejected, SupplierUnavailable, SyncAlreadyRunning
from .models import SupplierPicture, SyncPage, SyncRun

logger = logging.getLogger(__name__)

START_LOCK = "supplier-sync:start"
PAGES_STAGE = "pages"
PICTURES_STAGE = "pictures"
# A scheduled sync is background upkeep and must not delay on-demand work on worker-bulk;
# one a member of staff asked for has someone watching the console, like an on-demand report.
PRIORITY_FOR_TRIGGER = {SyncRun.Trigger.SCHEDULE: Priority.LOW, SyncRun.Trigger.STAFF: Priority.NORMAL}


def sync_run_request(*, trigger: str, requested_by: AbstractBaseUser | None = None) -> SyncRun:
    """Start a sync run, or raise SyncAlreadyRunning. A stale running run is abandoned first."""
    try:
        with _start_guard(), transaction.atomic():
            running = SyncRun.objects.select_for_update().filter(status=SyncRun.Status.RUNNING).first()
            if running is not None and not running.is_stale():
                raise SyncAlreadyRunning(running)
            if running is not None:
                _abandon(running)
            run = SyncRun.objects.create(trigger=trigger, requested_by=requested_by,
                                         page_size=settings.SUPPLIER_SYNC_PAGE_SIZE)  # fmt: skip
            run.job = workflow_start(
                kind="sync",
                subject=f"sync-run:{run.pk}",
                workflow=workflows.sync_begin_workflow(run_id=run.pk),
                priority=PRIORITY_FOR_TRIGGER[SyncRun.Trigger(trigger)],
                owner=requested_by,
            )
            run.save(update_fields=["job"])
    except IntegrityError:
        raise SyncAlreadyRunning(_running_run()) from None
    return run


def _running_run() -> SyncRun | None:
    return SyncRun.objects.filter(status=SyncRun.Status.RUNNING).first()


@contextmanager
def _start_guard() -> Iterator[None]:
    """Make check-then-start atomic across web processes and beat, so the loser gets
    SyncAlreadyRunning rather than an IntegrityError. The partial unique constraint on running
    runs keeps the rule by itself when Redis is down, so that is no reason to refuse."""
    guard = lock(START_LOCK, ttl=30)
    try:
        acquired = guard.acquire(blocking=True, blocking_timeout=5)
    except RedisError as exc:
        logger.warning("No start lock (Redis: %s); the database constraint alone decides", exc)
        yield
        return
    if not acquired:
        raise SyncAlreadyRunning(_running_run())
    try:
        yield
    finally:
        with suppress(LockError, RedisError):
            guard.release()


def _abandon(run: SyncRun) -> None:
    """A run whose worker died: end it (its late tasks then do nothing) and cancel its Job."""
    reason = f"abandoned: no progress for {settings.SUPPLIER_SYNC_STALE_SECONDS}s"
    _finish(run, status=SyncRun.Status.FAILED, error=reason)
    if run.job_id:
        job_cancel(job_id=run.job_id, reason=reason)
    logger.warning("Sync run %s %s", run.pk, reason)


def _finish(run: SyncRun, *, status: str, error: str = "") -> None:
    run.check_transition(status)
    run.status = status
    run.error = run.error or error
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])


def _running(run_id: int) -> SyncRun | None:
    """The run if it is still running; None for a late task of a finished or abandoned run."""
    run = SyncRun.objects.filter(id=run_id).first()
    if run is None or run.status != SyncRun.Status.RUNNING:
        logger.info("Sync run %s is not running; nothing to do", run_id)
        return None
    return run


def sync_run_begin(*, run_id: int) -> None:
    """Fetch page 1 (pinning the catalog version), apply it, then launch the other pages."""
    run = _running(run_id)
    if run is None:
        return
    with SupplierClient.from_settings() as client:
        page = client.page(number=1, page_size=run.page_size, version=run.supplier_version)
    now = timezone.now()
    # Only the first delivery pins the version; a redelivery re-reads that same version.
    SyncRun.objects.filter(id=run_id, supplier_version__isnull=True).update(
        supplier_version=page.version, pages_total=page.pages, listed_total=page.total, started_at=now
    )
    _page_record(run_id=run_id, page=page)
    extended = workflow_extend(
        job_id=run.job_id,
        stage=PAGES_STAGE,
        workflow=workflows.sync_pages_workflow(run_id=run_id, pages=page.pages),
    )
    if not extended and run.job is not None and run.job.is_finished:
        # Its Job was cancelled (or failed) meanwhile: the pages will never run.
        sync_step_failed(run_id=run_id, error=f"its job {run.job_id} ended {run.job.status}")
        return
    logger.info(
        "Sync run %s: version %s, %s products on %s pages", run_id, page.version, page.total, page.pages
    )


def sync_page_apply(*, run_id: int, number: int) -> None:
    """Fetch and apply one page of the run's pinned catalog version (once per run)."""
    run = _running(run_id)
    if run is None or SyncPage.objects.filter(run_id=run_id, number=number).exists():
        return
    with SupplierClient.from_settings() as client:
        page = client.page(number=number, page_size=run.page_size, version=run.supplier_version)
    _page_record(run_id=run_id, page=page)


def _page_record(*, run_id: int, page: SupplierPage) -> None:
    """Upsert the page's products and record the page, in one transaction."""
    try:
        with transaction.atomic():
            if SyncPage.objects.filter(run_id=run_id, number=page.number).exists():
                return
            counts = catalog_page_upsert(items=page.items)
            SyncPage.objects.create(
                run_id=run_id,
                number=page.number,
                status=SyncPage.Status.APPLIED,
                products_created=counts.created,
                products_updated=counts.updated,
                products_unchanged=counts.unchanged,
                refs=[item.ref for item in page.items],
                pictures={item.ref: list(item.pictures) for item in page.items if item.pictures},
            )
            SyncRun.objects.filter(id=run_id).update(
                pages_done=F("pages_done") + 1,
                products_created=F("products_created") + counts.created,
                products_updated=F("products_updated") + counts.updated,
                products_unchanged=F("products_unchanged") + counts.unchanged,
                progressed_at=timezone.now(),
            )
    except IntegrityError:
        # Two deliveries of one page raced (possible on PostgreSQL): the other one recorded it.
        if not SyncPage.objects.filter(run_id=run_id, number=page.number).exists():
            raise


def sync_step_failed(*, run_id: int, error: str, number: int | None = None) -> None:
    """A step gave up for good: record the failed page, or fail the run if it was not a page."""
    with transaction.atomic():
        run = SyncRun.objects.select_for_update().filter(id=run_id).first()
        if run is None or run.is_finished:
            return
        if number is None:
            _finish(run, status=SyncRun.Status.FAILED, error=error)
            return
        _, created = SyncPage.objects.get_or_create(
            run=run, number=number, defaults={"status": SyncPage.Status.FAILED, "error": error[:2000]}
        )
        if created:
            SyncRun.objects.filter(id=run_id).update(
                pages_failed=F("pages_failed") + 1, progressed_at=timezone.now()
            )


def sync_run_finish(*, run_id: int) -> SyncRun | None:
    """Close the run: deactivate what the supplier no longer lists, if the listing is complete."""
    with transaction.atomic():
        run = SyncRun.objects.select_for_update().filter(id=run_id).first()
        if run is None or run.is_finished:
            return run
        pages = list(run.pages.values("status", "refs", "number", "error", "pictures"))
        failed = [p for p in pages if p["status"] == SyncPage.Status.FAILED]
        if failed:
            _finish(run, status=_status_with_failures(run), error=_summary(failed))
            return run
        if len(pages) < (run.pages_total or 0):
            raise PagesOutstanding(f"{len(pages)} of {run.pages_total} pages recorded")
        listed = {ref for page in pages for ref in page["refs"]}
        if len(listed) != run.listed_total:
            _finish(run, status=SyncRun.Status.PARTIAL,
                    error=f"the pages list {len(listed)} products, the supplier said {run.listed_total}")  # fmt: skip
            return run
        run.products_deactivated = catalog_deactivate_unlisted(listed_refs=listed)
        run.save(update_fields=["products_deactivated"])
        if _pictures_stage_start(run=run, pages=pages):
            logger.info("Sync run %s: catalog applied, pictures next", run_id)
            return run
        _finish(run, status=SyncRun.Status.SUCCEEDED)
    logger.info("Sync run %s succeeded", run_id)
    return run


def _pictures_stage_start(*, run: SyncRun, pages: list[dict[str, Any]]) -> bool:
    """Add the pictures stage to the run's Job; False if there is nothing to sync or the Job ended."""
    if not any(page["pictures"] for page in pages) and not SupplierPicture.objects.exists():
        return False
    return workflow_extend(
        job_id=run.job_id,
        stage=PICTURES_STAGE,
        workflow=workflows.sync_pictures_workflow(run_id=run.pk, pages=len(pages)),
    )


def sync_pictures_finish(*, run_id: int, stopped: bool = False) -> None:
    """The pictures stage is over: the run succeeded (failed pictures are counted, not fatal)."""
    with transaction.atomic():
        run = SyncRun.objects.select_for_update().filter(id=run_id).first()
        if run is None or run.is_finished:
            return
        error = "the pictures stage stopped early; the next run syncs what is left" if stopped else ""
        _finish(run, status=SyncRun.Status.SUCCEEDED, error=error)
    logger.info("Sync run %s succeeded (pictures: %s)", run_id, "stopped early" if stopped else "synced")


def sync_run_abort(*, run_id: int) -> None:
    """The chord failed (a page gave up): close the run without deactivating anything."""
    with transaction.atomic():
        run = SyncRun.objects.select_for_update().filter(id=run_id).first()
        if run is None or run.is_finished:
            return
        failed = list(run.pages.filter(status=SyncPage.Status.FAILED).values("number", "error"))
        _finish(run, status=_status_with_failures(run), error=_summary(failed) or "a page failed")


def _status_with_failures(run: SyncRun) -> str:
    return (
        SyncRun.Status.PARTIAL
        if run.pages.filter(status=SyncPage.Status.APPLIED).exists()
        else SyncRun.Status.FAILED
    )


def _summary(failed_pages: list[dict[str, Any]]) -> str:
    lines = [f"page {p['number']}: {p['error']}" for p in sorted(failed_pages, key=lambda p: p["number"])]
    return "\n".join(lines)[:4000]


def supplier_faults(*, changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """The supplier stub's fault switches, after applying `changes` if given.

    Raises SupplierUnavailable when the supplier does not answer, SupplierRejected when it refuses."""
    try:
        with SupplierClient() as client:
            return client.faults_set(changes) if changes else client.faults()
    except TransientSupplierError as exc:
        raise SupplierUnavailable(details={"reason": str(exc)}) from exc
    except PermanentSupplierError as exc:
        raise SupplierRejected(details={"reason": str(exc)}) from exc
