"""A campaign batch's chunks: claimed, sent and recorded together (see campaigns.py's
docstring for the crash window and why campaign mail is at most once)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import transaction
from django.utils import timezone

from .campaign_mail import CampaignMail
from .models import Delivery
from .selectors import opted_out_user_ids
from .sending import TransientMailError, smtp_error_classify, termination_deferred

# Recipients claimed, sent and recorded together: two write transactions per chunk instead of
# per message, while a SIGKILL still leaves at most this many outcomes unknown.
CLAIM_CHUNK = 50
OUTCOME_UNKNOWN = "interrupted while sending; outcome unknown, not sent again"


def chunk_claim(campaign_id: int, recipient_ids: list[int]) -> tuple[int, dict[int, int]]:
    """Claim the chunk's pending deliveries (pending → sending) in one UPDATE, honouring
    opt-outs made since the batch began: (skipped, {recipient id: delivery id} this run holds).

    The claim stamp tells this run's rows from a concurrent run's (which claim with their own).
    """
    chunk = Delivery.objects.filter(
        campaign_id=campaign_id, recipient_id__in=recipient_ids, status=Delivery.Status.PENDING
    )
    opted_out = opted_out_user_ids(user_ids=recipient_ids)
    stamp = timezone.now()
    with transaction.atomic():
        skipped = chunk.filter(recipient_id__in=opted_out).update(
            status=Delivery.Status.SKIPPED, error="opted out of campaigns"
        )
        chunk.update(status=Delivery.Status.SENDING, claimed_at=stamp)
        claimed = Delivery.objects.filter(
            campaign_id=campaign_id, recipient_id__in=recipient_ids, status=Delivery.Status.SENDING,
            claimed_at=stamp,
        )  # fmt: skip
        return skipped, dict(claimed.values_list("recipient_id", "id"))


def chunk_record(sent: list[int], failed: dict[int, str], unsent: list[int], error: str = "") -> None:
    """Record a chunk's outcome in one transaction: sent, failed (each with its error), and
    the claims a transient failure gave back (to pending, for the retry)."""
    now = timezone.now()
    with transaction.atomic():
        claimed = Delivery.objects.filter(status=Delivery.Status.SENDING)
        claimed.filter(id__in=sent).update(status=Delivery.Status.SENT, sent_at=now, error="")
        for delivery_id, message in failed.items():
            claimed.filter(id=delivery_id).update(status=Delivery.Status.FAILED, error=message)
        claimed.filter(id__in=unsent).update(status=Delivery.Status.PENDING, error=error)


def chunk_send(mail: CampaignMail, recipients: list[dict[str, Any]], claimed: dict[int, int],
                connection) -> Counter[str]:  # fmt: skip
    """Send the claimed messages over the open connection and record them; SIGTERM waits
    for the record (a SIGKILL leaves the chunk `sending`: see the module's docstring)."""
    sent: list[int] = []
    failed: dict[int, str] = {}
    to_send = [r for r in recipients if r["id"] in claimed]
    with termination_deferred():
        for position, recipient in enumerate(to_send):
            delivery_id = claimed[recipient["id"]]
            try:
                mail.send(recipient, connection)
            except OSError as exc:
                error = smtp_error_classify(exc)
                if isinstance(error, TransientMailError):
                    unsent = [claimed[r["id"]] for r in to_send[position:]]
                    chunk_record(sent, failed, unsent, error=str(error))
                    raise error from exc
                failed[delivery_id] = str(error)
            except BaseException:
                # Anything else (a bug, the soft time limit): what was sent stays recorded, this
                # message's outcome is unknown (it stays `sending`), the rest go back to pending.
                chunk_record(sent, failed, [claimed[r["id"]] for r in to_send[position + 1 :]])
                raise
            else:
                sent.append(delivery_id)
        chunk_record(sent, failed, [])
    return +Counter({Delivery.Status.SENT: len(sent), Delivery.Status.FAILED: len(failed)})  # no zeros
