"""Transactional mail services against the real SMTP sink (no worker needed)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from notifications import services
from notifications.models import OutgoingMessage
from notifications.sending import stable_message_id

pytestmark = pytest.mark.django_db


def _order_confirmation(key: str, to: str = "ada@example.test", **extra) -> OutgoingMessage:
    return services.message_prepare(
        kind="order_confirmation",
        key=key,
        to=to,
        context={"name": "Ada", "order_number": "GG-1001", "total": "12.50",
                 "lines": [{"quantity": 2, "name": "Apples <Elstar>", "total": "5.00"}]},
        **extra,
    )  # fmt: skip


def test_prepare_renders_text_and_html_and_is_idempotent_by_key():
    message = _order_confirmation("order:1001:confirmation")
    again = _order_confirmation("order:1001:confirmation", to="someone-else@example.test")

    assert again.id == message.id
    assert message.subject == "Your Greengrocer order GG-1001 is confirmed"
    assert "2 × Apples <Elstar>" in message.body_text  # text is not HTML-escaped
    assert "Apples &lt;Elstar&gt;" in message.body_html
    assert message.message_id == stable_message_id("order:1001:confirmation")
    assert message.status == OutgoingMessage.Status.PENDING


def test_prepare_rejects_an_unknown_kind_and_a_missing_attachment():
    with pytest.raises(ValueError):
        services.message_prepare(kind="newsletter", key="k1", to="a@example.test", context={})
    with pytest.raises(FileNotFoundError):
        _order_confirmation("order:1002:confirmation", attachments=["invoices/missing.pdf"])
    assert not OutgoingMessage.objects.exists()


def test_send_delivers_once_with_the_attachment_and_stable_message_id(mailbox):
    invoice = default_storage.save(
        "invoices/GG-1003/invoice-GG-1003.pdf", ContentFile(b"%PDF-1.4 demo invoice")
    )
    message = _order_confirmation("order:1003:confirmation", attachments=[invoice])

    assert services.message_send(message_id=message.id) == OutgoingMessage.Status.SENT
    assert services.message_send(message_id=message.id) == OutgoingMessage.Status.SENT

    [received] = mailbox.messages()
    assert received["Message-ID"] == message.message_id
    assert received["Subject"] == message.subject
    [attachment] = received.iter_attachments()
    assert attachment.get_filename() == "invoice-GG-1003.pdf"
    assert attachment.get_payload(decode=True) == b"%PDF-1.4 demo invoice"
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutgoingMessage.Status.SENT, 1)
    assert message.sent_at is not None


def test_a_fresh_claim_is_left_alone_and_a_stale_one_is_taken_over(mailbox):
    message = _order_confirmation("order:1004:confirmation")
    OutgoingMessage.objects.filter(id=message.id).update(
        status=OutgoingMessage.Status.SENDING, claimed_at=timezone.now()
    )
    with pytest.raises(services.MessageBeingSent):
        services.message_send(message_id=message.id)
    assert mailbox.count() == 0

    OutgoingMessage.objects.filter(id=message.id).update(
        claimed_at=timezone.now() - services.CLAIM_STALE - timedelta(seconds=1)
    )
    assert services.message_send(message_id=message.id) == OutgoingMessage.Status.SENT
    assert mailbox.count(to="ada@example.test") == 1


def test_a_refused_recipient_fails_for_good_with_the_smtp_error(mailbox):
    message = _order_confirmation("order:1005:confirmation", to="refused-bob@example.test")

    assert services.message_send(message_id=message.id) == OutgoingMessage.Status.FAILED

    message.refresh_from_db()
    assert message.status == OutgoingMessage.Status.FAILED
    assert "550" in message.error and "refused-bob@example.test" in message.error
    assert mailbox.count() == 0
