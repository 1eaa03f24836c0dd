"""Mail steps (shop.platform.jobs.steps is the contract). Routing (shop/celery.py): send_message ->
mail; every other task here -> bulk.
"""

from __future__ import annotations

import time

from celery import current_task
from celery.exceptions import Reject

from shop.platform.jobs.celery_compat import worker_stopping
from shop.platform.jobs.steps import RetryPolicy, StepFailure, step_task

from . import campaigns, services

# A custom state between STARTED and SUCCESS; its meta says how far a long task is.
PROGRESS = "PROGRESS"
# A batch run claims no new recipient after this long (its threads pool enforces no time
# limit): the rest of its range goes to a new run, well within the 600 s soft limit.
BATCH_RUN_SECONDS = 480


def _message_failed(*, message_id: int, failure: StepFailure) -> None:
    services.message_fail(message_id=message_id, error=failure.message)


@step_task(
    retry=RetryPolicy(max_retries=8, backoff=2, cap=300),
    on_final_failure=_message_failed,
    takes_result="message_id",
    soft_time_limit=30,
    time_limit=45,
)
def send_message(*, message_id: int) -> int:
    """Send one prepared OutgoingMessage (at most once per claim; see services).

    Takes the id of a message a previous step prepared, and returns it.
    """
    services.message_send(message_id=message_id)
    return message_id


@step_task(
    retry=RetryPolicy(max_retries=6, backoff=5, cap=300),
    # A batch of 500 at the global rate can take minutes when several workers share it.
    # Prefork would enforce these; worker-io's threads pool does not (BATCH_RUN_SECONDS).
    soft_time_limit=600,
    time_limit=660,
)
def campaign_batch_send(*, campaign_id: int, first_recipient_id: int, last_recipient_id: int) -> dict:
    """Stores a custom PROGRESS state while it sends (`manage.py task_status <id>` shows it).

    The meta is small ({"done", "total"}) and is replaced by the batch's counts on SUCCESS;
    the chord counts finished header tasks separately, so PROGRESS never completes it early.
    A worker stopping (shop.platform.jobs.celery_compat) or BATCH_RUN_SECONDS spent ends the run
    between two recipients and puts the message back in the queue: the next run, on any
    worker, skips every recipient already sent.
    """
    run_ends = time.monotonic() + BATCH_RUN_SECONDS

    def progress(done: int, total: int) -> None:
        current_task.update_state(state=PROGRESS, meta={"done": done, "total": total})

    try:
        return campaigns.campaign_batch_send(
            campaign_id=campaign_id,
            first_recipient_id=first_recipient_id,
            last_recipient_id=last_recipient_id,
            on_progress=progress,
            stop_requested=lambda: worker_stopping() or time.monotonic() > run_ends,
        )
    except campaigns.BatchInterrupted as exc:
        raise Reject(str(exc), requeue=True) from exc


@step_task()
def campaign_finish(*, campaign_id: int) -> dict:
    campaign = campaigns.campaign_finish(campaign_id=campaign_id)
    return {"sent": campaign.sent_count, "failed": campaign.failed_count, "skipped": campaign.skipped_count}


@step_task(ignore_result=True)
def campaign_fail(*, campaign_id: int) -> None:
    """Error callback of the campaign chord: a batch failed for good."""
    campaigns.campaign_finish(campaign_id=campaign_id, error="A batch of the campaign failed; see its Job.")


@step_task(ignore_result=True, soft_time_limit=60, time_limit=90)
def sweep_stalled_campaigns() -> int:
    return campaigns.stalled_campaigns_redispatch()
