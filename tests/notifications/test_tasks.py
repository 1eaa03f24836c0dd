"""Transactional mail on the real worker and the real sink."""

from __future__ import annotations

from notifications import services
from notifications.models import OutgoingMessage
from notifications.tasks import send_message
from shop.accounts.services import customer_register
from shop.platform.jobs.models import Job
from tests.harness.jobs import wait_for_job, wait_until


def test_a_message_retried_after_a_timeout_arrives_once(worker, mailbox, settings):
    # The sink stalls the first message to slow-* longer than the client waits.
    settings.EMAIL_TIMEOUT = 1
    job = services.message_start(
        kind="payment_failed", key="order:2001:payment_failed", to="slow-carol@example.test",
        context={"name": "Carol", "order_number": "GG-2001", "reason": "card declined"},
    )  # fmt: skip

    job = wait_for_job(job, timeout=60)

    assert job.status == Job.Status.SUCCEEDED
    assert job.steps.get().retries == 1
    message = OutgoingMessage.objects.get(key="order:2001:payment_failed")
    assert (message.status, message.attempts) == (OutgoingMessage.Status.SENT, 2)
    assert mailbox.count(to="slow-carol@example.test") == 1


def test_a_redelivered_send_task_sends_nothing_new(worker, mailbox):
    job = services.message_start(
        kind="report_ready", key="report:7:ready", to="staff@example.test",
        context={"report_name": "Weekly sales"},
    )  # fmt: skip
    wait_for_job(job, timeout=30)
    message = OutgoingMessage.objects.get(key="report:7:ready")

    # The same task delivered again, as Redis would after a lost ack; wait for that run itself.
    redelivered = send_message.apply_async(kwargs={"message_id": message.id})
    wait_until(redelivered.ready, timeout=30, message="redelivered send task finished")

    assert redelivered.successful()
    assert OutgoingMessage.objects.get(id=message.id).attempts == 1
    assert Job.objects.count() == 1
    assert mailbox.count(to="staff@example.test") == 1


def test_registration_sends_the_welcome_mail_on_commit(worker, mailbox):
    user = customer_register(username="dora", email="Dora@Example.test", password="a-long-enough-passphrase")

    job = wait_for_job(Job.objects.get(subject=f"mail:user:{user.id}:welcome"), timeout=30)

    assert job.status == Job.Status.SUCCEEDED
    [received] = mailbox.wait_for(1)
    assert received["To"] == "dora@example.test"
    assert received["Subject"] == "Welcome to Greengrocer, dora"
    assert received.get_body(preferencelist=("html",)) is not None
