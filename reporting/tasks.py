"""Report steps (shop.platform.jobs.steps is the contract; `reporting.*` is routed to `reports`).

Plain values in, a service or selector call, small JSON out. Only a locked or lost database
connection is worth retrying; whatever fails the figures or the PDF for good is written on
the report.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from shop.platform.jobs.steps import RetryPolicy, StepFailure, step_task

from . import selectors, services

RETRY = RetryPolicy(max_retries=5, backoff=2, cap=60)


def _report_failed(*, report_id: int, failure: StepFailure, **_: object) -> None:
    services.report_fail(report_id=report_id, error=f"{failure.step} failed: {failure.message}")


@step_task(retry=RETRY, on_final_failure=_report_failed, soft_time_limit=120, time_limit=150)
def sales_aggregate(*, report_id: int, start: str, end: str) -> dict[str, Any]:
    """One day range's partial figures (a few KB at most: one entry per day, product, category)."""
    services.report_mark_running(report_id=report_id)
    return selectors.sales_between(start=date.fromisoformat(start), end=date.fromisoformat(end))


@step_task(
    retry=RETRY,
    on_final_failure=_report_failed,
    takes_result="partials",
    soft_time_limit=240,
    time_limit=300,
)
def report_render(*, report_id: int, partials: list[dict[str, Any]]) -> int:
    """The chord's body: merge the partials, render and store the PDF."""
    services.report_render(report_id=report_id, partials=partials)
    return report_id


@step_task(retry=RETRY, soft_time_limit=30, time_limit=45)
def report_mail_prepare(*, report_id: int, recipient_id: int) -> int:
    """Prepare one recipient's mail; the next step (send_message) takes the id it returns."""
    return services.report_mail_prepare(report_id=report_id, recipient_id=recipient_id)


@step_task(retry=RETRY, soft_time_limit=30, time_limit=45)
def scheduled_report(*, kind: str) -> int:
    """Beat's entry point: report on the previous day / week / month."""
    return services.scheduled_report(kind=kind).id
