"""Writes for reports: request one (on demand or on a schedule), record its progress,
store its figures and PDF, mail it. Keyword-only, typed, atomic.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications.services import MessageKind, message_prepare
from shop.celery import Priority
from shop.platform.errors import InvalidInput
from shop.platform.jobs.services import workflow_start

from . import selectors
from .brand import euros
from .figures import merge_partials, report_figures, top_product_ids
from .models import Report
from .pdf import render_report_pdf
from .periods import (
    MAX_PERIOD_DAYS,
    REPORT_TITLES,
    period_containing,
    period_title,
    previous_period,
    shop_today,
)
from .workflows import report_workflow

logger = logging.getLogger(__name__)


def report_period(
    *, kind: str, period_start: date | None = None, period_end: date | None = None, today: date | None = None
) -> tuple[date, date]:
    """The days a report covers; raises InvalidInput for a period that makes no sense.

    A custom report needs both dates. Any other kind takes the period containing
    `period_start` if given, else the last complete one (yesterday, last week, last month).
    """
    today = today or shop_today()
    if kind == Report.Kind.CUSTOM:
        if period_start is None or period_end is None:
            raise InvalidInput("A custom report needs both period_start and period_end.")
        start, end = period_start, period_end
    elif kind in Report.Kind.values:
        if period_end is not None and period_start is None:
            raise InvalidInput(f"A {kind} report takes period_start (any day of the period), not period_end.")
        start, end = period_containing(kind, period_start) if period_start else previous_period(kind, today)
    else:
        raise InvalidInput(f"Unknown report kind {kind!r}.")
    if start > end:
        raise InvalidInput("period_start must not be after period_end.")
    if start > today:
        raise InvalidInput("The period has not started yet.")
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidInput(f"A report covers at most {MAX_PERIOD_DAYS} days.")
    return start, end


@transaction.atomic
def report_request(
    *,
    kind: str,
    requested_by: AbstractBaseUser | None,
    period_start: date | None = None,
    period_end: date | None = None,
    audience: str = Report.Audience.REQUESTER,
    priority: Priority = Priority.NORMAL,
    today: date | None = None,
) -> Report:
    """Create a report and start its workflow (dispatched when this transaction commits)."""

    start, end = report_period(kind=kind, period_start=period_start, period_end=period_end, today=today)
    report = Report.objects.create(
        kind=kind,
        period_start=start,
        period_end=end,
        audience=audience,
        requested_by=requested_by if requested_by is not None and requested_by.is_authenticated else None,
    )
    report.job = workflow_start(
        kind="report",
        subject=f"report:{report.id}",
        workflow=report_workflow(
            report_id=report.id, start=start, end=end, recipient_ids=selectors.report_recipient_ids(report)
        ),
        priority=priority,
        owner=report.requested_by,
    )
    report.save(update_fields=["job"])
    return report


def scheduled_report(*, kind: str, today: date | None = None) -> Report:
    """The beat's report: the previous day / week / month, at LOW priority, for all staff."""
    return report_request(
        kind=kind,
        requested_by=None,
        audience=Report.Audience.STAFF,
        priority=Priority.LOW,
        today=today,
    )


def report_mark_running(*, report_id: int) -> None:
    """The first aggregation step to start moves the report on; later ones change nothing."""
    Report.objects.filter(id=report_id, status=Report.Status.PENDING).update(
        status=Report.Status.RUNNING, started_at=timezone.now()
    )


def report_render(*, report_id: int, partials: list[dict[str, Any]]) -> None:
    """Merge the day ranges' figures, render the PDF and mark the report ready (once)."""
    report = Report.objects.get(id=report_id)
    if report.is_ready:
        return  # A redelivered render: the PDF is already there.
    merged = merge_partials(partials)
    figures = report_figures(
        merged,
        start=report.period_start,
        end=report.period_end,
        product_labels=selectors.product_labels(ids=top_product_ids(merged)),
        category_names=selectors.category_names(ids=[int(key) for key in merged["categories"]]),
    )
    pdf_bytes = render_report_pdf(report=report, figures=figures, generated_at=timezone.now())
    with transaction.atomic():
        report = Report.objects.select_for_update().get(id=report_id)
        if report.is_ready:
            return
        report.check_transition(Report.Status.READY)
        report.pdf.save(
            f"report-{report.id}-{report.kind}-{report.period_start}.pdf", ContentFile(pdf_bytes), save=False
        )
        report.figures = figures
        report.status = Report.Status.READY
        report.started_at = report.started_at or timezone.now()
        report.finished_at = timezone.now()
        report.error = ""
        report.save(update_fields=["pdf", "figures", "status", "started_at", "finished_at", "error"])
    logger.info("Report %s ready: %s orders, revenue %s", report_id, figures["orders"], figures["revenue"])


def report_fail(*, report_id: int, error: str) -> None:
    """Record why a report could not be made. A report that is already ready stays ready."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(id=report_id)
        if report.status in (Report.Status.READY, Report.Status.FAILED):
            return
        report.check_transition(Report.Status.FAILED)
        report.status = Report.Status.FAILED
        report.error = error[:2000]
        report.finished_at = timezone.now()
        report.save(update_fields=["status", "error", "finished_at"])


def report_mail_prepare(*, report_id: int, recipient_id: int) -> int:
    """The "report ready" mail for one recipient, PDF attached; returns its message id.

    Keyed by report and recipient, so a redelivered step finds the message it prepared.
    """
    report = Report.objects.get(id=report_id)
    recipient = get_user_model().objects.get(id=recipient_id)
    period = period_title(report.kind, report.period_start, report.period_end)
    message = message_prepare(
        kind=MessageKind.REPORT_READY,
        key=f"report:{report.id}:to:{recipient.id}",
        to=recipient.email,
        context={
            "name": recipient.first_name or recipient.get_username(),
            "report_name": f"{REPORT_TITLES[report.kind]} — {period}",
            "period": period,
            "report_url": f"{settings.SITE_URL}{reverse('report-pdf', args=[report.id])}",
            # The headline figures, formatted as the PDF prints them: the same stored figures.
            "orders": f"{report.figures['orders']:,}",
            "revenue": euros(report.figures["revenue"]),
            "goods": euros(report.figures["goods"]),
            "shipping": euros(report.figures["shipping"]),
        },
        attachments=[report.pdf.name],
    )
    return message.id
