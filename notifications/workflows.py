"""The canvases of the mail app. Services start them with shop.platform.jobs.services.workflow_start."""

from __future__ import annotations

from celery import chord
from celery.canvas import Signature

from shop.celery import Priority, broker_priority
from shop.platform.jobs.steps import step, step_with_result


def message_send_workflow(message_id: int | None = None) -> Signature:
    """Send a transactional message at HIGH priority.

    With an id: an immutable signature for a standalone Job. Without one: a signature
    that takes the id from the previous step of a chain (e.g. an orders step that calls
    services.message_prepare and returns `message.id`).
    """
    if message_id is None:
        signature = step_with_result("notifications.send_message")
    else:
        signature = step("notifications.send_message", message_id=message_id)
    return signature.set(priority=broker_priority(Priority.HIGH))


def campaign_send_workflow(*, campaign_id: int, recipient_ranges: list[tuple[int, int]]) -> Signature:
    """chord(group(send a batch per recipient-id range), finish); a failed batch fails the campaign."""
    finish = step("notifications.campaign_finish", campaign_id=campaign_id)
    if not recipient_ranges:
        return finish
    batches = [
        step(
            "notifications.campaign_batch_send",
            campaign_id=campaign_id,
            first_recipient_id=first,
            last_recipient_id=last,
        )
        for first, last in recipient_ranges
    ]
    return chord(batches, finish.on_error(step("notifications.campaign_fail", campaign_id=campaign_id)))
