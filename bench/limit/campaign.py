"""The campaign limit: the same messages, rendered before the clock starts, sent by a raw
`smtplib` loop over one connection to the same SMTP server: no task, no Delivery row, no
rate limit, no claim."""

from __future__ import annotations

import smtplib
import time

from django.conf import settings
from django.core.mail import get_connection

from notifications.campaign_mail import CampaignMail
from notifications.models import Campaign
from notifications.selectors import campaign_audience


def messages_prerender(campaign: Campaign, count: int) -> list[tuple[str, bytes]]:
    """(recipient address, the message as it goes on the wire) for the first `count` recipients."""
    mail = CampaignMail(campaign)
    connection = get_connection()  # never opened: the messages are only rendered
    recipients = campaign_audience(campaign=campaign).order_by("id").values("id", "email", "first_name",
                                                                            "username")[:count]  # fmt: skip
    return [(r["email"], mail.email(r, connection).message().as_bytes(linesep="\r\n")) for r in recipients]


def smtp_loop(messages: list[tuple[str, bytes]]) -> float:
    """Send every message over one connection; the seconds it took."""
    started = time.perf_counter()
    with smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=settings.EMAIL_TIMEOUT) as smtp:
        for address, message in messages:
            smtp.sendmail(settings.DEFAULT_FROM_EMAIL, [address], message)
    return time.perf_counter() - started
