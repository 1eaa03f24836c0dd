"""Campaigns on the real worker and the real SMTP sink."""

from __future__ import annotations

import time
from datetime import timedelta

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from notifications import campaigns, opt_outs, services
from notifications.models import Campaign, Delivery, MailPreference, OutgoingMessage
from notifications.tasks import campaign_batch_send
from shop.platform.jobs.models import Job
from tests.factories import CampaignFactory
from tests.harness.jobs import job_sent_and_lost, wait_for_job, wait_until

from .helpers import customers_create


def _send(campaign: Campaign, *, timeout: float = 60) -> tuple[Campaign, Job]:
    campaign = campaigns.campaign_send_start(campaign_id=campaign.id)
    job = wait_for_job(campaign.job, timeout=timeout)
    campaign.refresh_from_db()
    return campaign, job


def test_a_campaign_to_2000_customers_delivers_exactly_one_message_to_each(worker, mailbox, settings):
    settings.MAIL_SEND_RATE = settings.MAIL_SEND_BURST = 2000
    customers = customers_create(2000, prefix="bulk")
    campaign = CampaignFactory()

    started = time.monotonic()
    campaign, job = _send(campaign, timeout=240)
    elapsed = time.monotonic() - started

    assert job.status == Job.Status.SUCCEEDED
    assert (job.progress_done, job.progress_total) == (5, 5)  # 4 batches of 500 + finish
    assert (campaign.status, campaign.recipients_total) == (Campaign.Status.SENT, 2000)
    assert (campaign.sent_count, campaign.failed_count, campaign.skipped_count) == (2000, 0, 0)
    received = mailbox.recipients()
    assert received == {c.email: 1 for c in customers}
    print(f"\n2,000 campaign messages in {elapsed:.1f}s: {2000 / elapsed:.0f} messages/s")


def test_rerunning_a_batch_task_delivers_nothing_new(worker, mailbox, settings):
    settings.MAIL_CAMPAIGN_BATCH_SIZE = 5
    customers = customers_create(12, prefix="rerun")
    campaign, job = _send(CampaignFactory())
    assert (job.progress_total, mailbox.count()) == (4, 12)

    # The first batch again, as Redis would redeliver it after a lost ack, while the campaign
    # is still sending (a finished campaign ignores late batches altogether).
    Campaign.objects.filter(id=campaign.id).update(status=Campaign.Status.SENDING)
    result = campaign_batch_send.apply_async(
        kwargs={
            "campaign_id": campaign.id,
            "first_recipient_id": customers[0].id,
            "last_recipient_id": customers[4].id,
        }
    )
    wait_until(result.ready, timeout=30, message="re-run batch finished")

    assert result.successful() and result.result == {"skipped": 0}
    assert mailbox.count() == 12
    assert Delivery.objects.filter(campaign=campaign, status=Delivery.Status.SENT).count() == 12


def test_opted_out_customers_receive_no_campaign_but_still_get_transactional_mail(worker, mailbox):
    customers = customers_create(8, prefix="optout")
    opted_out = customers[:3]
    for customer in opted_out:
        opt_outs.campaigns_opt_out(user_id=customer.id)

    campaign, _ = _send(CampaignFactory())

    assert (campaign.sent_count, campaign.skipped_count, campaign.failed_count) == (5, 3, 0)
    received = mailbox.recipients()
    assert all(received[c.email] == 0 for c in opted_out)
    assert all(received[c.email] == 1 for c in customers[3:])
    skipped = Delivery.objects.filter(campaign=campaign, status=Delivery.Status.SKIPPED)
    assert set(skipped.values_list("recipient_id", flat=True)) == {c.id for c in opted_out}

    message = services.message_prepare(
        kind="order_confirmation", key="order:9:confirmation", to=opted_out[0].email,
        context={"order_number": "GG-9", "total": "3.00"},
    )  # fmt: skip
    assert services.message_send(message_id=message.id) == OutgoingMessage.Status.SENT
    assert mailbox.count(to=opted_out[0].email) == 1


def test_refused_recipients_fail_with_the_smtp_error_and_the_rest_are_delivered(worker, mailbox, settings):
    settings.MAIL_CAMPAIGN_BATCH_SIZE = 4
    delivered = customers_create(6, prefix="accepted")
    refused = customers_create(3, prefix="refused")  # the sink answers 550 to refused-*

    campaign, job = _send(CampaignFactory())

    assert job.status == Job.Status.SUCCEEDED
    assert (campaign.status, campaign.sent_count, campaign.failed_count) == (Campaign.Status.SENT, 6, 3)
    for customer in refused:
        delivery = Delivery.objects.get(campaign=campaign, recipient=customer)
        assert delivery.status == Delivery.Status.FAILED
        assert "550" in delivery.error and customer.email in delivery.error
    assert mailbox.recipients() == {c.email: 1 for c in delivered}


def test_a_campaign_with_no_recipients_finishes_at_once(worker):
    campaign, job = _send(CampaignFactory(audience=Campaign.Audience.STAFF))

    assert job.status == Job.Status.SUCCEEDED
    assert (campaign.status, campaign.recipients_total, campaign.sent_count) == (Campaign.Status.SENT, 0, 0)
    assert not MailPreference.objects.exists()


def test_a_batch_that_fails_for_good_fails_the_campaign_with_its_counts(worker, mailbox, settings):
    # The sink offers no STARTTLS: a permanent, whole-connection error for every batch.
    settings.EMAIL_USE_TLS = True
    customers_create(3, prefix="tls")

    campaign, job = _send(CampaignFactory())

    assert job.status == Job.Status.FAILED
    assert "PermanentMailError" in job.error and "STARTTLS" in job.error
    campaign = wait_until(
        lambda: Campaign.objects.filter(id=campaign.id, status=Campaign.Status.FAILED).first(),
        timeout=30,
        message="campaign marked failed by the chord's error callback",
    )
    assert (campaign.sent_count, campaign.failed_count) == (0, 0)
    assert "batch" in campaign.error and campaign.finished_at
    assert mailbox.count() == 0


def test_a_campaign_whose_messages_were_lost_is_sent_again_once_by_the_sweeper(worker, mailbox, tmp_path):
    customers = customers_create(6, prefix="lost")
    long_ago = timezone.now() - campaigns.STALLED_AFTER - timedelta(minutes=1)
    with transaction.atomic():
        campaign = campaigns.campaign_send_start(campaign_id=CampaignFactory().id)
        job_sent_and_lost(campaign.job_id, sent_at=long_ago, quiet_since=long_ago)
    assert campaigns.stalled_campaigns_redispatch(older_than=timedelta(hours=1)) == 0  # not quiet that long

    assert campaigns.stalled_campaigns_redispatch() == 1

    job = wait_for_job(campaign.job_id, timeout=30)
    assert job.status == Job.Status.SUCCEEDED and job.dispatch_attempts == 2  # the lost send, this one
    assert Campaign.objects.get(id=campaign.id).status == Campaign.Status.SENT
    assert mailbox.recipients() == {c.email: 1 for c in customers}
    assert campaigns.stalled_campaigns_redispatch() == 0
    call_command("setup_schedules", stdout=(tmp_path / "out.txt").open("w"))
    assert PeriodicTask.objects.filter(task="notifications.sweep_stalled_campaigns").exists()


def test_a_delivery_whose_sender_died_mid_send_is_settled_as_unknown_when_the_campaign_finishes(db):
    customers = customers_create(3, prefix="cut")
    campaign = CampaignFactory(status=Campaign.Status.SENDING)
    for customer, status in zip(customers, ["sent", "sending", "sent"], strict=True):
        Delivery.objects.create(campaign=campaign, recipient=customer, status=status)

    campaign = campaigns.campaign_finish(campaign_id=campaign.id)

    assert (campaign.status, campaign.sent_count, campaign.failed_count) == (Campaign.Status.SENT, 2, 1)
    cut = Delivery.objects.get(campaign=campaign, recipient=customers[1])
    assert cut.status == Delivery.Status.FAILED and "outcome unknown" in cut.error


def test_chunks_stay_within_the_rate_burst_and_an_opt_out_counts_until_the_chunk_is_claimed(
    db, mailbox, settings
):
    settings.MAIL_SEND_RATE, settings.MAIL_SEND_BURST = 1000, 2  # a grant covers two sends at most
    customers = customers_create(5, prefix="chunks")
    campaign = CampaignFactory(status=Campaign.Status.SENDING)
    progress = []

    def on_progress(done: int, total: int) -> None:
        progress.append((done, total))
        if done == 2:  # the last customer opts out while the batch is sending
            opt_outs.campaigns_opt_out(user_id=customers[4].id)

    counts = campaigns.campaign_batch_send(
        campaign_id=campaign.id,
        first_recipient_id=customers[0].id,
        last_recipient_id=customers[-1].id,
        on_progress=on_progress,
    )

    assert progress == [(2, 5), (4, 5), (5, 5)]
    assert counts == {"skipped": 1, "sent": 4}
    mailbox.wait_for(4)
    assert mailbox.recipients() == {c.email: 1 for c in customers[:4]}
    assert dict(Delivery.objects.filter(campaign=campaign).values_list("recipient_id", "status")) == {
        **{c.id: Delivery.Status.SENT for c in customers[:4]},
        customers[4].id: Delivery.Status.SKIPPED,
    }
