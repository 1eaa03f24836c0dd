"""Report tasks (all routed to the `reports` queue, except the mail sent by notifications).

Thin: plain values in, a service or selector call, small JSON out. Only a locked or lost
database connection is worth retrying; anything else is a bug and fails the report.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError

from shop.celery import app

from . import selectors, services

TRANSIENT_ERRORS = (OperationalError, InterfaceError)
RETRY_POLICY = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(soft_time_limit=120, time_limit=150, **RETRY_POLICY)
def sales_aggregate(report_id: int, start: str, end: str) -> dict[str, Any]:
    """One day range's partial figures (a few KB at most: one entry per day, product, category)."""
    services.report_mark_running(report_id=report_id)
    return selectors.sales_between(start=date.fromisoformat(start), end=date.fromisoformat(end))


@shared_task(soft_time_limit=240, time_limit=300, **RETRY_POLICY)
def report_render_task(partials: list[dict[str, Any]], report_id: int) -> int:
    """The chord's body: merge the partials, render and store the PDF."""
    services.report_render(report_id=report_id, partials=partials)
    return report_id


@shared_task(soft_time_limit=30, time_limit=45, **RETRY_POLICY)
def report_mail_prepare_task(report_id: int, recipient_id: int) -> int:
    """Prepare one recipient's mail; the next step (send_message_task) takes the id it returns."""
    return services.report_mail_prepare(report_id=report_id, recipient_id=recipient_id)


@shared_task(soft_time_limit=30, time_limit=45, **RETRY_POLICY)
def report_fail_task(failed_task_id: str, *, report_id: int) -> None:
    """Error callback: record on the report why its workflow failed."""
    error = app.AsyncResult(failed_task_id).result
    services.report_fail(report_id=report_id, error=f"{type(error).__name__}: {error}")


@shared_task(soft_time_limit=30, time_limit=45, **RETRY_POLICY)
def scheduled_report_task(kind: str) -> int:
    """Beat's entry point: report on the previous day / week / month."""
    return services.scheduled_report(kind=kind).id
