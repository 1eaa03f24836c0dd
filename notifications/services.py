"""Transactional mail: prepare a message under its business key, send it at most once per claim.

How a send stays single under redelivery: `message_send` claims the row with a conditional
UPDATE (pending -> sending) before it talks to SMTP and records `sent` right after. A
second run of the task finds the row `sent` (nothing to do) or `sending` (someone holds the
claim: retry later).

The crash window: if the worker dies after the server accepted the message but before
`sent` is recorded, the row stays `sending` (SIGTERM waits for the record; see
sending.termination_deferred; SIGKILL cannot be held back). Once the claim is older than any run of the
task can last (CLAIM_STALE, above the task's hard time limit) a retry takes it over and
sends again, with the same Message-ID. So within that window delivery is at least once,
and a duplicate carries an identical Message-ID that mail clients and providers can
de-duplicate. We chose that over at most once because losing an order confirmation or a
password mail is worse than an identifiable duplicate. (Campaign mail makes the other
choice; see campaigns.py.)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from shop.celery import LONGEST_COUNTDOWN_SECONDS, Priority
from shop.platform.errors import Conflict, InvalidInput, TransientError
from shop.platform.jobs.models import Job
from shop.platform.jobs.services import workflow_start
from shop.platform.jobs.steps import step

from .models import OutgoingMessage
from .sending import (
    PermanentMailError,
    TransientMailError,
    attachment_exists,
    attachment_read,
    mail_rate_limit_wait,
    smtp_error_classify,
    stable_message_id,
    termination_deferred,
)
from .workflows import message_send_workflow

logger = logging.getLogger(__name__)

# What other apps pass as `kind=`, so that they need not import this app's models.
MessageKind = OutgoingMessage.Kind

# Above send_message_task's hard time limit: a claim this old has no live holder.
CLAIM_STALE = timedelta(minutes=2)


class MessageBeingSent(TransientError):
    """Another run of the task holds the claim on this message; try again later."""


def _render(kind: str, context: dict[str, Any]) -> tuple[str, str, str]:
    base = f"notifications/{kind}"
    subject = " ".join(render_to_string(f"{base}.subject.txt", context).split())
    return subject, render_to_string(f"{base}.txt", context), render_to_string(f"{base}.html", context)


def message_prepare(
    *,
    kind: str,
    key: str,
    to: str,
    context: dict[str, Any],
    attachments: Sequence[str] = (),
) -> OutgoingMessage:
    """Render and record a message under `key`; the existing one if the key is known.

    `kind` is an OutgoingMessage.Kind value; the templates are
    notifications/<kind>.subject.txt, <kind>.txt and <kind>.html. Attachments are names in
    the media storage (a FileField's `.name`), and must exist now.
    """
    existing = OutgoingMessage.objects.filter(key=key).first()
    if existing is not None:
        return existing
    kind = OutgoingMessage.Kind(kind).value
    stored_attachments = list(attachments)
    missing = [name for name in stored_attachments if not attachment_exists(name)]
    if missing:
        raise FileNotFoundError(f"attachments not found: {', '.join(missing)}")
    subject, text, html = _render(kind, {"site_url": settings.SITE_URL, "to": to, **context})
    try:
        with transaction.atomic():
            return OutgoingMessage.objects.create(
                key=key,
                kind=kind,
                to=to,
                subject=subject,
                body_text=text,
                body_html=html,
                attachments=stored_attachments,
                message_id=stable_message_id(key),
            )
    except IntegrityError:
        # Prepared concurrently under the same key: that one is the message.
        return OutgoingMessage.objects.get(key=key)


def _email_for(message: OutgoingMessage, connection) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers={"Message-ID": message.message_id},
        connection=connection,
    )
    email.attach_alternative(message.body_html, "text/html")
    for name in message.attachments:
        filename, content = attachment_read(name)
        email.attach(filename, content)
    return email


def _message_move(message_id: int, from_status: str, to_status: str, **fields) -> bool:
    """Conditional status change; False if the row was not in `from_status`."""
    OutgoingMessage(status=from_status).check_transition(to_status)
    return bool(
        OutgoingMessage.objects.filter(id=message_id, status=from_status).update(status=to_status, **fields)
    )


def _message_claim(message_id: int) -> bool:
    now = timezone.now()
    claimable = Q(status=OutgoingMessage.Status.PENDING) | Q(
        status=OutgoingMessage.Status.SENDING, claimed_at__lt=now - CLAIM_STALE
    )
    return bool(
        OutgoingMessage.objects.filter(claimable, id=message_id).update(
            status=OutgoingMessage.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def message_send(*, message_id: int) -> str:
    """Send a prepared message unless it was sent already; return its final status.

    Raises TransientMailError (retry later) or MessageBeingSent (someone holds the claim).
    A permanent failure is recorded on the message, not raised.
    """
    if not _message_claim(message_id):
        status = OutgoingMessage.objects.filter(id=message_id).values_list("status", flat=True).first()
        if status is None:
            raise OutgoingMessage.DoesNotExist(f"no message {message_id}")
        if status == OutgoingMessage.Status.SENDING:
            raise MessageBeingSent(f"message {message_id} is being sent by another run")
        return status
    message = OutgoingMessage.objects.get(id=message_id)
    sending = OutgoingMessage.Status.SENDING
    try:
        mail_rate_limit_wait()
        with termination_deferred():
            with get_connection() as connection:
                _email_for(message, connection).send()
            _message_move(message_id, sending, OutgoingMessage.Status.SENT, sent_at=timezone.now(), error="")
    except TransientMailError as exc:
        _message_move(message_id, sending, OutgoingMessage.Status.PENDING, error=str(exc))
        raise
    except PermanentMailError as exc:
        _message_move(message_id, sending, OutgoingMessage.Status.FAILED, error=str(exc))
        return OutgoingMessage.Status.FAILED
    except OSError as exc:  # smtplib's errors and the socket's
        error = smtp_error_classify(exc)
        if isinstance(error, TransientMailError):
            _message_move(message_id, sending, OutgoingMessage.Status.PENDING, error=str(error))
            raise error from exc
        _message_move(message_id, sending, OutgoingMessage.Status.FAILED, error=str(error))
        logger.warning("Message %s (%s) failed for good: %s", message_id, message.key, error)
        return OutgoingMessage.Status.FAILED
    logger.info("Sent message %s (%s) to %s", message_id, message.key, message.to)
    return OutgoingMessage.Status.SENT


def message_fail(*, message_id: int, error: str) -> None:
    """Record the final error of a message whose retries are spent (the task's failure hook)."""
    OutgoingMessage.objects.filter(id=message_id).exclude(
        status__in=[OutgoingMessage.Status.SENT, OutgoingMessage.Status.FAILED]
    ).update(status=OutgoingMessage.Status.FAILED, error=error[:2000])


def message_start(
    *,
    kind: str,
    key: str,
    to: str,
    context: dict[str, Any],
    attachments: Sequence[str] = (),
    owner: AbstractBaseUser | None = None,
) -> Job:
    """Prepare a standalone message and send it as a Job (HIGH priority, on commit)."""

    message = message_prepare(kind=kind, key=key, to=to, context=context, attachments=attachments)
    return workflow_start(
        kind="mail",
        subject=f"mail:{key}"[:120],
        workflow=message_send_workflow(message.id),
        priority=Priority.HIGH,
        owner=owner,
    )


# --- Operator sends (the admin's actions, `manage.py mail_send_at`) -------------------------
# Workflows go through the Job outbox. These direct calls need none: a staff member runs them
# and sees at once if the broker is down, and message_send is idempotent (a claim per message).
#
# A countdown or ETA message is held unacked by a worker until it is due, and Redis hands out
# again anything unacked after the visibility timeout: a send planned further ahead than that
# would go out twice. So a delay is bounded well below it; later sends belong to beat.
LONGEST_SEND_DELAY = timedelta(seconds=LONGEST_COUNTDOWN_SECONDS)


# Both stay ValueErrors too: `manage.py mail_send_at` reports any ValueError as a command error.
class SendTooFarAhead(InvalidInput, ValueError):
    """A delayed send beyond LONGEST_SEND_DELAY: schedule it with beat instead."""

    code = "send_too_far_ahead"


class MessageNotPending(Conflict, ValueError):
    """Only a pending message can be sent by an operator; this one is sending, sent or missing."""

    code = "message_not_pending"


def _message_pending(message_id: int) -> None:
    status = OutgoingMessage.objects.filter(id=message_id).values_list("status", flat=True).first()
    if status != OutgoingMessage.Status.PENDING:
        raise MessageNotPending(f"message {message_id} is {status or 'missing'}, not pending")


def _send_delay_check(delay: timedelta) -> None:
    if delay > LONGEST_SEND_DELAY:
        raise SendTooFarAhead(
            f"{delay} ahead is beyond {LONGEST_SEND_DELAY} (below the broker's visibility timeout); "
            "schedule sends that far ahead with beat"
        )


def message_send_now(*, message_id: int) -> str:
    """Send a pending message now; returns the task id. Routing puts it on `mail`."""
    _message_pending(message_id)
    return step("notifications.send_message", message_id=message_id).delay().id


def message_send_later(*, message_id: int, seconds: int) -> str:
    """Send a pending message in `seconds` (e.g. after the relay's maintenance); the task id."""
    _message_pending(message_id)
    _send_delay_check(timedelta(seconds=seconds))
    return step("notifications.send_message", message_id=message_id).apply_async(countdown=seconds).id


def message_send_at(*, message_id: int, at: datetime) -> str:
    """Send a pending message at `at` (aware), at most LONGEST_SEND_DELAY ahead; the task id."""
    _message_pending(message_id)
    _send_delay_check(at - timezone.now())
    return step("notifications.send_message", message_id=message_id).apply_async(eta=at).id


def welcome_mail_start(*, user: AbstractBaseUser) -> Job | None:
    """The welcome mail for a new customer (none for an account without an address)."""
    if not user.email:
        return None
    return message_start(
        kind=OutgoingMessage.Kind.WELCOME,
        key=f"user:{user.pk}:welcome",
        to=user.email,
        context={"name": user.first_name or user.get_username()},
        owner=user,
    )
