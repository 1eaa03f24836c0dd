"""Sync steps (shop.platform.jobs.steps is the contract; `sync.*` is routed to `sync`).

Transient supplier errors are retried with the supplier's backoff (settings), never sooner
than its Retry-After. A page or run step that gives up is recorded on the run (the Job
records it by itself); the pictures of a page count as failed in their last try instead.
"""

from __future__ import annotations

from shop.platform.jobs.steps import RetryPolicy, StepFailure, final_attempt, step_task

from . import pictures, services
from .errors import SyncAlreadyRunning
from .models import SyncRun

SUPPLIER_RETRY = RetryPolicy(
    max_retries=6, backoff="SUPPLIER_RETRY_BACKOFF", cap="SUPPLIER_RETRY_BACKOFF_MAX"
)


def _sync_step_failed(*, run_id: int, failure: StepFailure, number: int | None = None, **_: object) -> None:
    services.sync_step_failed(run_id=run_id, number=number, error=failure.message)


@step_task(retry=SUPPLIER_RETRY, on_final_failure=_sync_step_failed, soft_time_limit=60, time_limit=90)
def sync_run_begin(*, run_id: int) -> None:
    services.sync_run_begin(run_id=run_id)


@step_task(retry=SUPPLIER_RETRY, on_final_failure=_sync_step_failed, soft_time_limit=60, time_limit=90)
def sync_page_apply(*, run_id: int, number: int) -> int:
    """Returns the page number only: a chord header result must be small, and the same on
    a redelivery (the chord counts distinct results)."""
    services.sync_page_apply(run_id=run_id, number=number)
    return number


@step_task(
    # PagesOutstanding: a redelivered page has not reported yet.
    retry=RetryPolicy(max_retries=10, backoff=1, cap=30),
    on_final_failure=_sync_step_failed,
    soft_time_limit=60,
    time_limit=90,
)
def sync_run_finish(*, run_id: int) -> None:
    services.sync_run_finish(run_id=run_id)


@step_task(on_final_failure=_sync_step_failed, soft_time_limit=30, time_limit=45)
def sync_run_abort(*, run_id: int) -> None:
    services.sync_run_abort(run_id=run_id)


@step_task(retry=SUPPLIER_RETRY, soft_time_limit=240, time_limit=300)
def sync_page_pictures(*, run_id: int, number: int) -> int:
    """The pictures of one page. A picture server that times out or answers 5xx/429 is retried
    with the pages' backoff; after the last retry what is left counts as failed (never the run)."""
    pictures.page_pictures_sync(run_id=run_id, number=number, final_attempt=final_attempt())
    return number


@step_task(soft_time_limit=30, time_limit=45)
def sync_pictures_finish(*, run_id: int, stopped: bool = False) -> None:
    """Close the run once its pictures are synced (`stopped`: the stage ended early)."""
    services.sync_pictures_finish(run_id=run_id, stopped=stopped)


@step_task(ignore_result=True, soft_time_limit=30, time_limit=45)
def sync_run_request() -> int | None:
    """The beat trigger: start a scheduled sync unless one is running. Returns the run id."""
    try:
        return services.sync_run_request(trigger=SyncRun.Trigger.SCHEDULE).pk
    except SyncAlreadyRunning as exc:
        return exc.run.pk if exc.run else None
