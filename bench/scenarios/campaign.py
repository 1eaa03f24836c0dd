"""Campaign: messages per second through the real SMTP sink.

Ours: `campaign_send_start` (as the staff API calls it): a chord of batch tasks of
MAIL_CAMPAIGN_BATCH_SIZE recipients, each over one SMTP connection, with a Delivery row
claimed per recipient. Naive: one task per recipient, each rendering the same templates,
opening a new SMTP connection and recording its Delivery (bench/naive/tasks.py), sent to
the same queue; its clock includes publishing those tasks, as the naive caller must. The
limit: the same messages rendered beforehand and sent by a raw `smtplib` loop over one
connection to the same sink (bench/limit/campaign.py).
MAIL_SEND_RATE is lifted far above what either reaches, so the global token bucket (one
Redis call per message, still paid) never makes anyone wait.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from bench import broker
from bench.context import BenchContext
from bench.limit.campaign import messages_prerender, smtp_loop
from bench.measure import Row, ScenarioResult, repeat
from bench.naive import tasks as naive
from bench.sizes import scaled_down
from notifications.campaigns import campaign_create, campaign_send_start
from notifications.models import Campaign, Delivery
from notifications.selectors import campaign_audience
from shop.platform.result_backend import results_not_followed
from tests.harness.jobs import wait_until

TIMEOUT = 900
RECIPIENT_PREFIX = "bench-recipient-"


def _recipients_ensure(count: int) -> None:
    User = get_user_model()
    have = User.objects.filter(username__startswith=RECIPIENT_PREFIX).count()
    password = make_password(None)  # unusable: these customers only receive mail
    User.objects.bulk_create(
        [
            User(
                username=f"{RECIPIENT_PREFIX}{n}",
                email=f"customer{n}@bench.greengrocer.test",
                first_name=f"Customer {n}",
                password=password,
            )
            for n in range(have, count)
        ],
        batch_size=1000,
    )


def _campaign(name: str) -> Campaign:
    return campaign_create(
        name=name,
        subject="This week at Greengrocer",
        body_text="Quinces are in season.\n\nCome and see what else is fresh.",
    )


def run(context: BenchContext) -> ScenarioResult:
    _recipients_ensure(context.sizes.campaign_recipients)
    naive_count = context.sizes.campaign_naive_recipients
    queue = broker.queue_of("notifications.campaign_batch_send")

    def ours() -> dict[str, float]:
        campaign = _campaign("bench: batched")
        started = time.perf_counter()
        campaign = campaign_send_start(campaign_id=campaign.id)
        done = wait_until(
            lambda: Campaign.objects.filter(id=campaign.id, finished_at__isnull=False).first(),
            timeout=TIMEOUT,
            interval=0.1,
            message="the campaign finished",
        )
        elapsed = time.perf_counter() - started
        if done.status != Campaign.Status.SENT or done.sent_count != campaign.recipients_total:
            raise RuntimeError(f"campaign {done.id}: {done.status}, {done.sent_count} sent")
        return {"messages_per_s": done.sent_count / elapsed, "recipients": done.sent_count}

    def one_task_per_recipient() -> dict[str, float]:
        campaign = _campaign("bench: one task per recipient")
        recipient_ids = list(campaign_audience(campaign=campaign).order_by("id").values_list("id", flat=True))
        recipient_ids = recipient_ids[:naive_count]
        started = time.perf_counter()
        with results_not_followed():
            for recipient_id in recipient_ids:
                naive.campaign_send_one.apply_async(args=(campaign.id, recipient_id), queue=queue)
        wait_until(
            lambda: Delivery.objects.filter(campaign=campaign).count() >= len(recipient_ids),
            timeout=TIMEOUT,
            interval=0.1,
            message="every naive message sent",
        )
        return {
            "messages_per_s": len(recipient_ids) / (time.perf_counter() - started),
            "recipients": len(recipient_ids),
        }

    limit_messages = messages_prerender(_campaign("bench: the limit"), context.sizes.campaign_recipients)

    def limit() -> dict[str, float]:
        return {
            "messages_per_s": len(limit_messages) / smtp_loop(limit_messages),
            "recipients": len(limit_messages),
        }

    figures, naive_figures, limit_figures = repeat(
        ours,
        one_task_per_recipient,
        limit,
        units={"messages_per_s": "messages/s", "recipients": "recipients"},
    )
    recipients, naive_recipients = int(figures["recipients"].median), int(naive_figures["recipients"].median)
    scaled, scaled_notes = scaled_down("campaign_recipients", recipients)
    size = f"{recipients:,} recipients{scaled}" + (
        f" (naive: {naive_recipients:,})" if naive_recipients != recipients else ""
    )
    return ScenarioResult(
        name="campaign",
        size=size,
        rows=[
            Row(
                "campaign messages/s through the SMTP sink",
                figures["messages_per_s"],
                naive_figures["messages_per_s"],
                "naive: a task and a connection per recipient",
            ),
            Row(
                "campaign messages/s against the limit",
                figures["messages_per_s"],
                limit_figures["messages_per_s"],
                "the limit: raw smtplib loop, one connection, pre-rendered",
            ),
        ],
        notes=[
            f"MAIL_SEND_RATE lifted to {settings.MAIL_SEND_RATE:,.0f}/s so the "
            "global bucket does not cap either side. Every customer of the bench's database is a recipient.",
            *scaled_notes,
        ],
    )
