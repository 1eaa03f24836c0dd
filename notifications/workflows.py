"""The canvases of the mail app. Services start them with shop.jobs.services.workflow_start."""

from __future__ import annotations

from celery import chord
from celery.canvas import Signature

from shop.celery import Priority, broker_priority

from . import tasks


def message_send_workflow(message_id: int | None = None) -> Signature:
    """Send a transactional message at HIGH priority.

    With an id: an immutable signature for a standalone Job. Without one: a signature
    that takes the id from the previous step of a chain (e.g. an orders step that calls
    services.message_prepare and returns `message.id`).
    """
    signature = tasks.send_message_task.s() if message_id is None else tasks.send_message_task.si(message_id)
    return signature.set(priority=broker_priority(Priority.HIGH))


def campaign_send_workflow(*, campaign_id: int, recipient_ranges: list[tuple[int, int]]) -> Signature:
    """chord(group(send a batch per recipient-id range), finish); a failed batch fails the campaign."""
    finish = tasks.campaign_finish_task.si(campaign_id)
    if not recipient_ranges:
        return finish
    batches = [
        tasks.campaign_batch_send_task.si(campaign_id, first, last) for first, last in recipient_ranges
    ]
    return chord(batches, finish.on_error(tasks.campaign_fail_task.si(campaign_id)))
