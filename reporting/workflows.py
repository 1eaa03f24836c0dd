"""The report workflow, the one place its canvas is composed:

    chord(group(sales_aggregate(day range) × n), report_render)
      → group(report_mail_prepare(recipient) → send_message) × recipients

Each day range (a week at most) is aggregated by its own task, so a month is five tasks
that run in parallel on the `reports` queue and the Job's progress rises as they finish.
The recipients are known when the report is requested (the requester, or all staff), so
each one's mail is a step of the same Job. A step that fails the figures or the PDF for
good marks the report failed itself (reporting.tasks).
"""

from __future__ import annotations

from datetime import date

from celery import chain, chord, group
from celery.canvas import Signature

from shop.platform.jobs.steps import step, step_with_result

from .periods import day_ranges


def report_workflow(*, report_id: int, start: date, end: date, recipient_ids: list[int]) -> Signature:
    aggregations = [
        step(
            "reporting.sales_aggregate",
            report_id=report_id,
            start=chunk_start.isoformat(),
            end=chunk_end.isoformat(),
        )
        for chunk_start, chunk_end in day_ranges(start, end)
    ]
    render = step_with_result("reporting.report_render", report_id=report_id)
    # The mail takes the report's own priority (not transactional mail's HIGH): a scheduled
    # report's mail must not overtake a shopper's receipt.
    mails = [
        chain(
            step("reporting.report_mail_prepare", report_id=report_id, recipient_id=recipient_id),
            step_with_result("notifications.send_message"),
        )
        for recipient_id in recipient_ids
    ]
    steps = [chord(aggregations, render)]
    if len(mails) == 1:
        steps.extend(mails[0].tasks)
    elif mails:
        steps.append(group(mails))
    return chain(*steps)
