"""Campaigns: bulk mail to an audience, in batches over recipient-id ranges, and opt-outs.

One Delivery row per (campaign, recipient) is created before anything is sent, and each
chunk of recipients claims its rows with one conditional UPDATE (pending -> sending) before
sending them, then records their outcomes in one transaction. A redelivered or re-run batch
therefore skips everyone already sent, failed or skipped.

The crash window: a worker that dies after the server accepted a chunk's messages but before
they are recorded leaves the chunk's rows `sending`. SIGTERM (Celery's cancel on a lost broker
connection) waits for the record (sending.termination_deferred); SIGKILL does not.
Campaign mail takes the at-most-once side here, unlike transactional mail (services.py):
when a later run of the batch finds such a row older than any batch can run
(BATCH_CLAIM_STALE), or the campaign finishes with it, it is recorded `failed` with
"outcome unknown" and not sent again. A missed newsletter is better than a duplicate
one, and the row says exactly which recipients to check.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from shop.celery import Priority
from shop.platform.errors import Conflict
from shop.platform.jobs.dispatch import job_redispatch
from shop.platform.jobs.models import Job
from shop.platform.jobs.services import workflow_start

from .campaign_chunks import CLAIM_CHUNK, OUTCOME_UNKNOWN, chunk_claim, chunk_send
from .campaign_mail import CampaignMail
from .models import Campaign, Delivery
from .selectors import campaign_audience
from .sending import (
    mail_rate_grant_most,
    mail_rate_limit_wait,
    smtp_error_classify,
)

logger = logging.getLogger(__name__)

# Above campaign_batch_send_task's hard time limit: a claim this old has no live holder.
BATCH_CLAIM_STALE = timedelta(minutes=15)
# A sending campaign whose Job has been quiet this long lost its messages: above a batch's
# hard time limit (11 min, during which its Job may see no step activity) plus its longest
# retry countdown (5 min).
STALLED_AFTER = timedelta(minutes=20)


class CampaignNotDraft(Conflict):
    """Only a draft campaign can be sent; this one is sending or was sent."""

    code = "campaign_not_draft"


class BatchInterrupted(Exception):
    """The batch stopped between two recipients when asked to; a later run sends the rest."""


def campaign_create(
    *,
    name: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    audience: str = Campaign.Audience.ALL_CUSTOMERS,
    recent_days: int | None = None,
    created_by: AbstractBaseUser | None = None,
) -> Campaign:
    campaign = Campaign(
        name=name,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        audience=audience,
        recent_days=recent_days if audience == Campaign.Audience.RECENT_BUYERS else None,
        created_by=created_by if created_by is not None and created_by.is_authenticated else None,
    )
    campaign.full_clean()
    campaign.save()
    return campaign


def _recipient_ranges(recipient_ids: list[int], size: int) -> list[tuple[int, int]]:
    """(first id, last id) of each run of `size` consecutive recipients (ids sorted)."""
    return [
        (recipient_ids[start], recipient_ids[min(start + size, len(recipient_ids)) - 1])
        for start in range(0, len(recipient_ids), size)
    ]


@transaction.atomic
def campaign_send_start(*, campaign_id: int, owner: AbstractBaseUser | None = None) -> Campaign:
    """Start sending a draft campaign as a Job on the bulk queue; CampaignNotDraft otherwise."""
    from .workflows import campaign_send_workflow

    now = timezone.now()
    Campaign(status=Campaign.Status.DRAFT).check_transition(Campaign.Status.SENDING)
    claimed = Campaign.objects.filter(id=campaign_id, status=Campaign.Status.DRAFT).update(
        status=Campaign.Status.SENDING, started_at=now
    )
    campaign = Campaign.objects.get(id=campaign_id)
    if not claimed:
        raise CampaignNotDraft(
            f"Campaign {campaign_id} is {campaign.status}; only a draft can be sent.",
            details={"status": campaign.status},
        )
    recipient_ids = list(campaign_audience(campaign=campaign).order_by("id").values_list("id", flat=True))
    ranges = _recipient_ranges(recipient_ids, settings.MAIL_CAMPAIGN_BATCH_SIZE)
    campaign.job = workflow_start(
        kind="campaign",
        subject=f"campaign:{campaign_id}",
        workflow=campaign_send_workflow(campaign_id=campaign_id, recipient_ranges=ranges),
        priority=Priority.BULK,
        owner=owner,
    )
    campaign.recipients_total = len(recipient_ids)
    campaign.save(update_fields=["job", "recipients_total"])
    return campaign


def campaign_batch_send(
    *,
    campaign_id: int,
    first_recipient_id: int,
    last_recipient_id: int,
    on_progress: Callable[[int, int], None] | None = None,
    stop_requested: Callable[[], bool] | None = None,
) -> dict[str, int]:
    """Send a campaign to its audience with ids in [first, last], over one SMTP connection.

    Recipients go in chunks of CLAIM_CHUNK (fewer when the rate's burst is smaller): the chunk's tokens are taken from the global
    rate, its pending deliveries claimed in one UPDATE (opt-outs honoured then), its
    messages sent, and their outcomes recorded in one transaction.
    Returns this run's counts. Raises TransientMailError (the batch is retried; what was
    sent stays sent) or PermanentMailError (the server refuses us as a whole).
    `on_progress(done, total)` is called after each chunk. `stop_requested()` is asked
    before each chunk is claimed: True raises BatchInterrupted, with every claimed
    recipient sent and recorded.
    """
    campaign = Campaign.objects.get(id=campaign_id)
    if campaign.status != Campaign.Status.SENDING:
        return {}
    recipients = list(
        campaign_audience(campaign=campaign)
        .filter(id__gte=first_recipient_id, id__lte=last_recipient_id)
        .order_by("id")
        .values("id", "email", "first_name", "username")
    )
    Delivery.objects.bulk_create(
        [Delivery(campaign_id=campaign_id, recipient_id=r["id"]) for r in recipients], ignore_conflicts=True
    )
    in_range = Delivery.objects.filter(
        campaign_id=campaign_id, recipient_id__gte=first_recipient_id, recipient_id__lte=last_recipient_id
    )
    in_range.filter(status=Delivery.Status.SENDING, claimed_at__lt=timezone.now() - BATCH_CLAIM_STALE).update(
        status=Delivery.Status.FAILED, error=OUTCOME_UNKNOWN
    )
    pending = set(in_range.filter(status=Delivery.Status.PENDING).values_list("recipient_id", flat=True))
    to_send = [r for r in recipients if r["id"] in pending]
    counts: Counter[str] = Counter({Delivery.Status.SKIPPED: 0})
    if to_send:
        mail = CampaignMail(campaign)
        try:
            with get_connection() as connection:
                chunk_size = mail_rate_grant_most(CLAIM_CHUNK)
                for start in range(0, len(to_send), chunk_size):
                    if stop_requested is not None and stop_requested():
                        raise BatchInterrupted(f"stopped after {start} of {len(to_send)}")
                    chunk = to_send[start : start + chunk_size]
                    mail_rate_limit_wait(tokens=len(chunk))
                    skipped, claimed = chunk_claim(campaign_id, [r["id"] for r in chunk])
                    counts[Delivery.Status.SKIPPED] += skipped
                    if busy := len(chunk) - skipped - len(claimed):
                        counts["busy"] += busy  # another run of the batch claimed them meanwhile
                    counts.update(chunk_send(mail, chunk, claimed, connection))
                    if on_progress:
                        on_progress(start + len(chunk), len(to_send))
        except OSError as exc:  # opening or closing the connection
            raise smtp_error_classify(exc) from exc
    logger.info(
        "Campaign %s batch %s-%s: %s", campaign_id, first_recipient_id, last_recipient_id, dict(counts)
    )
    return {str(status): n for status, n in counts.items()}


def stalled_campaigns_redispatch(*, older_than: timedelta = STALLED_AFTER) -> int:
    """Send again the workflows of sending campaigns whose Job has been quiet `older_than`.

    Their messages were lost (Redis restarted while a batch was taken but not yet recorded,
    a worker was SIGKILLed, a chord part was never counted); see
    shop.platform.jobs.dispatch.job_redispatch. A batch sent again skips every delivery already
    finished, so nobody gets the campaign twice; the outbox sweeper covers workflows that
    were never sent.
    """
    stalled = Campaign.objects.filter(
        status=Campaign.Status.SENDING,
        job__status__in=[Job.Status.PENDING, Job.Status.RUNNING],
        job__dispatch_state=Job.DispatchState.DISPATCHED,
        job__updated_at__lte=timezone.now() - older_than,
    ).values_list("job_id", flat=True)
    return sum(1 for job_id in stalled[:50] if job_redispatch(job_id=job_id, quiet_for=older_than))


def campaign_finish(*, campaign_id: int, error: str = "") -> Campaign:
    """Count the deliveries and close the campaign: sent, or failed when `error` is given.

    Every batch has reported by now, so a delivery still `sending` lost its sender between
    the claim and the record (a SIGKILL): it is settled as failed with outcome unknown,
    as a later batch run would (see the module's docstring), and the counts add up.
    """
    Delivery.objects.filter(campaign_id=campaign_id, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.FAILED, error=OUTCOME_UNKNOWN
    )
    by_status = dict(
        Delivery.objects.filter(campaign_id=campaign_id)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(id=campaign_id)
        campaign.sent_count = by_status.get(Delivery.Status.SENT, 0)
        campaign.failed_count = by_status.get(Delivery.Status.FAILED, 0)
        campaign.skipped_count = by_status.get(Delivery.Status.SKIPPED, 0)
        fields = ["sent_count", "failed_count", "skipped_count"]
        if campaign.status == Campaign.Status.SENDING:
            status = Campaign.Status.FAILED if error else Campaign.Status.SENT
            campaign.check_transition(status)
            campaign.status = status
            campaign.error = error
            campaign.finished_at = timezone.now()
            fields += ["status", "error", "finished_at"]
        campaign.save(update_fields=fields)
    return campaign
