"""Operator sends: `delay`, `apply_async(countdown=)` and `apply_async(eta=)` on a real worker.

Workflows go through the Job outbox; these are the direct calls a staff member makes for one
pending message (notifications.services.message_send_now / _later / _at).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from notifications import services
from notifications.models import OutgoingMessage
from shop.celery import Priority
from shop.platform.queues.selectors import queue_depths
from tests.factories import StaffFactory
from tests.harness.control import in_thread_worker_steps_aside
from tests.harness.jobs import wait_until


def _pending_message(key: str) -> OutgoingMessage:
    return services.message_prepare(
        kind="welcome", key=key, to=f"{key.replace(':', '-')}@example.test", context={"name": "Ada"}
    )


def _sent(message: OutgoingMessage, *, timeout: float = 30) -> OutgoingMessage:
    return wait_until(
        lambda: OutgoingMessage.objects.filter(id=message.id, status=OutgoingMessage.Status.SENT).first(),
        timeout=timeout,
        message=f"message {message.key} sent",
    )


def _waiting_messages() -> dict[str, dict[str, int]]:
    """Messages waiting on each non-empty queue, by semantic priority."""
    depths, _unacked = queue_depths()
    return {d.queue: {p: n for p, n in d.by_priority.items() if n} for d in depths if d.total}


def _admin_action(client, action: str, messages: list[OutgoingMessage]):
    client.force_login(StaffFactory(is_superuser=True))
    return client.post(
        reverse("admin:notifications_outgoingmessage_changelist"),
        {"action": action, "_selected_action": [m.id for m in messages]},
        follow=True,
    )


def test_send_now_from_the_admin_is_a_plain_delay_routed_to_the_mail_queue(worker, mailbox, client):
    pending = _pending_message("op:now")
    already_sent = _pending_message("op:sent")
    OutgoingMessage.objects.filter(id=already_sent.id).update(status=OutgoingMessage.Status.SENT)

    # The session worker consumes every queue: it steps aside from `mail`, so the message
    # waits where routing put it until the worker takes `mail` up again.
    with in_thread_worker_steps_aside(worker, ["mail"]):
        response = _admin_action(client, "send_now", [pending, already_sent])
        waiting = wait_until(_waiting_messages, timeout=10, message="the send waits on a queue")

    assert "1 message(s) will be sent now (1 not pending, left alone)." in response.content.decode()
    assert waiting == {"mail": {Priority.NORMAL.value: 1}}
    assert _sent(pending).attempts == 1
    assert mailbox.recipients() == {pending.to: 1}


def test_send_later_from_the_admin_waits_its_countdown(worker, mailbox, client, monkeypatch):
    monkeypatch.setattr("notifications.admin.SEND_LATER_SECONDS", 2)  # not 5 minutes in a test
    message = _pending_message("op:later")
    asked_at = timezone.now()

    _admin_action(client, "send_in_five_minutes", [message])

    assert _sent(message).sent_at - asked_at >= timedelta(seconds=2)
    assert mailbox.count() == 1


def test_mail_send_at_runs_the_send_at_that_eta(worker, mailbox, capsys):
    message = _pending_message("op:at")
    at = (timezone.localtime() + timedelta(seconds=3)).replace(microsecond=0)

    call_command("mail_send_at", message.id, at.strftime("%H:%M:%S"))

    assert f"will be sent at {at.isoformat()}" in capsys.readouterr().out
    assert _sent(message).sent_at >= at
    assert mailbox.count() == 1


def test_sends_further_ahead_than_the_bound_are_refused_and_left_to_beat(transactional_db):
    message = _pending_message("op:far")
    too_far = services.LONGEST_SEND_DELAY + timedelta(seconds=1)

    with pytest.raises(services.SendTooFarAhead, match="beat"):
        services.message_send_at(message_id=message.id, at=timezone.now() + too_far)
    with pytest.raises(services.SendTooFarAhead):
        services.message_send_later(message_id=message.id, seconds=int(too_far.total_seconds()))
    message.refresh_from_db()
    assert message.status == OutgoingMessage.Status.PENDING


def test_the_command_refuses_a_message_that_is_not_pending(transactional_db):
    message = _pending_message("op:cmd")
    OutgoingMessage.objects.filter(id=message.id).update(status=OutgoingMessage.Status.FAILED)
    soon = timezone.localtime() + timedelta(minutes=1)

    with pytest.raises(CommandError, match="failed, not pending"):
        call_command("mail_send_at", message.id, soon.strftime("%H:%M:%S"))
    with pytest.raises(CommandError, match="not a time"):
        call_command("mail_send_at", message.id, "soon")
