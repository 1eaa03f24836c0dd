"""The report workflow, the one place its canvas is composed:

    chord(group(sales_aggregate(day range) × n), report_render_task)
      → group(report_mail_prepare_task(recipient) → send_message_task) × recipients

Each day range (a week at most) is aggregated by its own task, so a month is five tasks
that run in parallel on the `reports` queue and the Job's progress rises as they finish.
The recipients are known when the report is requested (the requester, or all staff), so
each one's mail is a step of the same Job.
"""

from __future__ import annotations

from datetime import date

from celery import chain, chord, group
from celery.canvas import Signature

from notifications.tasks import send_message_task

from . import tasks
from .periods import day_ranges


def report_workflow(*, report_id: int, start: date, end: date, recipient_ids: list[int]) -> Signature:
    aggregations = [
        tasks.sales_aggregate.si(report_id, chunk_start.isoformat(), chunk_end.isoformat())
        for chunk_start, chunk_end in day_ranges(start, end)
    ]
    render = tasks.report_render_task.s(report_id).on_error(tasks.report_fail_task.s(report_id=report_id))
    # The mail takes the report's own priority (not transactional mail's HIGH): a scheduled
    # report's mail must not overtake a shopper's receipt.
    mails = [
        chain(tasks.report_mail_prepare_task.si(report_id, recipient_id), send_message_task.s())
        for recipient_id in recipient_ids
    ]
    steps = [chord(aggregations, render)]
    if len(mails) == 1:
        steps.extend(mails[0].tasks)
    elif mails:
        steps.append(group(mails))
    return chain(*steps)
