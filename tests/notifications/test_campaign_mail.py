"""A campaign's messages spliced from a stencil are the messages Django would build."""

from __future__ import annotations

import email
import re
from email import policy

import pytest
from django.core.mail import get_connection
from django.utils.html import escape

from notifications.campaign_mail import CampaignMail
from notifications.opt_outs import unsubscribe_url
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

RECIPIENTS = [
    {"id": 7, "email": "ann@example.test", "first_name": "Ann", "username": "ann"},
    {"id": 70_001, "email": "zoe@example.test", "first_name": 'Zoë <&> O\'Brien "Z"', "username": "zoe"},
    {"id": 9_876_543, "email": "kunde@bücher.test", "first_name": "", "username": "kunde-1"},
    {"id": 12, "email": "li@example.test", "first_name": "李" * 60, "username": "li"},
]


def _ordinary(mail: CampaignMail, recipient: dict, boundary: bytes) -> bytes:
    message = mail.email(recipient, get_connection()).message()
    wire = message.as_bytes(linesep="\r\n")
    return re.sub(rb"Date: [^\r]*", b"Date: -", wire.replace(message.get_boundary().encode(), boundary))


@pytest.mark.parametrize("body_text", ["Quinces are in season.\n\nCome and <see>.", "Äpfel & Birnen."])
@pytest.mark.parametrize("recipient", RECIPIENTS, ids=lambda r: r["email"])
def test_a_spliced_message_is_byte_for_byte_the_ordinary_one(body_text, recipient):
    mail = CampaignMail(CampaignFactory(subject="This week at Greengrocer", body_text=body_text))

    spliced = mail.wire(recipient)

    assert spliced is not None
    boundary = re.search(rb'boundary="([^"]+)"', spliced).group(1)
    assert re.sub(rb"Date: [^\r]*", b"Date: -", spliced) == _ordinary(mail, recipient, boundary)


def test_each_recipient_gets_their_own_greeting_link_and_headers():
    mail = CampaignMail(CampaignFactory(body_text="Fresh figs."))
    ann, zoe = RECIPIENTS[0], RECIPIENTS[1]

    messages = {r["id"]: email.message_from_bytes(mail.wire(r), policy=policy.default) for r in (ann, zoe)}

    for recipient, other in ((ann, zoe), (zoe, ann)):
        message = messages[recipient["id"]]
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert message["To"] == recipient["email"]
        assert message["List-Unsubscribe"].strip() == f"<{unsubscribe_url(user_id=recipient['id'])}>"
        assert f"Hello {recipient['first_name']}," in text
        assert (
            unsubscribe_url(user_id=recipient["id"]) in text
            and unsubscribe_url(user_id=other["id"]) not in text
        )
        assert f"Hello {escape(other['first_name'])}," not in html
        assert f"Hello {escape(recipient['first_name'])}," in html
    assert messages[ann["id"]]["Message-ID"] != messages[zoe["id"]]["Message-ID"]
    assert (
        "Hello Zoë &lt;&amp;&gt; O&#x27;Brien &quot;Z&quot;,"
        in messages[zoe["id"]].get_body(("html",)).get_content()
    )


def test_the_html_part_shows_a_plain_text_body_as_paragraphs():
    mail = CampaignMail(CampaignFactory(body_text="Quinces are in season.\n\nFigs <3 & more."))

    html = email.message_from_bytes(mail.wire(RECIPIENTS[0]), policy=policy.default).get_body(("html",))

    assert "<p>Quinces are in season.</p>\r\n\r\n<p>Figs &lt;3 &amp; more.</p>" in html.get_content()


@pytest.mark.parametrize("first_name", ["Ann\nBcc: someone@example.test", "A" * 201])
def test_a_name_the_splice_cannot_reproduce_is_sent_the_ordinary_way(first_name, mailbox):
    mail = CampaignMail(CampaignFactory(body_text="Fresh figs."))
    recipient = {"id": 3, "email": "odd@example.test", "first_name": first_name, "username": "odd"}
    assert mail.wire(recipient) is None

    with get_connection() as connection:
        mail.send(recipient, connection)

    [received] = mailbox.wait_for(1)
    assert received["To"] == "odd@example.test"
    assert f"Hello {first_name.splitlines()[0]}" in received.get_body(("plain",)).get_content()
