"""Mail tasks: thin wrappers that own the retry and time-limit policy.

Routing (shop/celery.py): send_message_task -> mail; every other task here -> bulk.
"""

from __future__ import annotations

import time

from celery import shared_task
from celery.exceptions import Reject

from shop.jobs.tracking import TrackedTask
from shop.worker_shutdown import worker_stopping

from . import campaigns, services
from .sending import TransientMailError

# A custom state between STARTED and SUCCESS; its meta says how far a long task is.
PROGRESS = "PROGRESS"
# A batch run claims no new recipient after this long (its threads pool enforces no time
# limit): the rest of its range goes to a new run, well within the 600 s soft limit.
BATCH_RUN_SECONDS = 480


class MessageTask(TrackedTask):
    """Records the final error on the message when its retries are spent."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        message_id = args[0] if args else kwargs.get("message_id")
        if message_id is not None:
            services.message_fail(message_id=message_id, error=f"{type(exc).__name__}: {exc}")
        super().on_failure(exc, task_id, args, kwargs, einfo)


@shared_task(
    bind=True,
    base=MessageTask,
    autoretry_for=(TransientMailError, services.MessageBeingSent),
    retry_backoff=2,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=8,
    soft_time_limit=30,
    time_limit=45,
)
def send_message_task(self, message_id: int) -> int:
    """Send one prepared OutgoingMessage (at most once per claim; see services).

    Takes the message id first and returns it, so it chains after a step that prepares
    the message and returns its id.
    """
    services.message_send(message_id=message_id)
    return message_id


@shared_task(
    bind=True,
    autoretry_for=(TransientMailError,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=6,
    # A batch of 500 at the global rate can take minutes when several workers share it.
    # Prefork would enforce these; worker-io's threads pool does not (BATCH_RUN_SECONDS).
    soft_time_limit=600,
    time_limit=660,
)
def campaign_batch_send_task(self, campaign_id: int, first_recipient_id: int, last_recipient_id: int) -> dict:
    """Stores a custom PROGRESS state while it sends (`manage.py task_status <id>` shows it).

    The meta is small ({"done", "total"}) and is replaced by the batch's counts on SUCCESS;
    the chord counts finished header tasks separately, so PROGRESS never completes it early.
    A worker stopping (shop.worker_shutdown) or BATCH_RUN_SECONDS spent ends the run
    between two recipients and puts the message back in the queue: the next run, on any
    worker, skips every recipient already sent.
    """
    run_ends = time.monotonic() + BATCH_RUN_SECONDS

    def progress(done: int, total: int) -> None:
        self.update_state(state=PROGRESS, meta={"done": done, "total": total})

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


@shared_task
def campaign_finish_task(campaign_id: int) -> dict:
    campaign = campaigns.campaign_finish(campaign_id=campaign_id)
    return {"sent": campaign.sent_count, "failed": campaign.failed_count, "skipped": campaign.skipped_count}


@shared_task(ignore_result=True)
def campaign_fail_task(campaign_id: int) -> None:
    """Error callback of the campaign chord: a batch failed for good."""
    campaigns.campaign_finish(campaign_id=campaign_id, error="A batch of the campaign failed; see its Job.")


@shared_task(ignore_result=True, soft_time_limit=60, time_limit=90)
def sweep_stalled_campaigns() -> int:
    return campaigns.stalled_campaigns_redispatch()
