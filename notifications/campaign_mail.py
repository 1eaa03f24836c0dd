"""One campaign's mail, rendered once per batch: only the greeting, the unsubscribe link and
three headers differ per recipient.

`CampaignMail.email` builds a recipient's message the ordinary Django way. `send` puts the
same bytes on the wire from a stencil: the message rendered and generated once with
placeholders, into which each recipient's values are spliced. Generating a message
(`as_bytes`: folding fifteen headers, compiling a boundary regex) costs about three times
what rendering both templates does, and it was most of a campaign sender's CPU per
message. The splice is byte-for-byte what `email(...).message().as_bytes()` would give,
apart from the Date (the stencil's, at most STENCIL_MAX_AGE old) and the MIME boundary (the
stencil's, checked absent from every spliced value); tests/notifications/test_campaign_mail.py
compares the two. A recipient the splice cannot reproduce exactly (a name that would change
the body's transfer encoding or line lengths) is built the ordinary way.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from email import policy as email_policy
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import forbid_multi_line_headers, sanitize_address
from django.template.loader import get_template
from django.utils.html import escape, linebreaks
from django.utils.safestring import mark_safe

from .models import Campaign
from .opt_outs import unsubscribe_url
from .sending import stable_message_id

# The Date a stencil stamps on its messages is at most this old.
STENCIL_MAX_AGE = 60.0
# A longer name could push a body line towards the 998 bytes past which Django switches the
# part to quoted-printable; such a recipient is built the ordinary way.
SPLICE_LONGEST_NAME = 200
WIRE_POLICY = email_policy.compat32.clone(linesep="\r\n")  # as Django's as_bytes(linesep="\r\n")


@dataclass(frozen=True)
class _Stencil:
    wire: bytes
    boundary: bytes
    placeholders: dict[str, str]  # what each varying part was rendered as
    made_at: float


class CampaignMail:
    """What every message of one campaign shares, worked out once per batch: the templates,
    the campaign's body, the sender, and the stencils `send` splices recipients into."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        # Staff write the HTML body (the API is staff-only); the plain text is escaped here.
        self.body_html = (
            mark_safe(campaign.body_html)
            if campaign.body_html
            else mark_safe(linebreaks(campaign.body_text, autoescape=True))
        )
        self.text = get_template("notifications/campaign.txt")
        self.html = get_template("notifications/campaign.html")
        self.from_email = sanitize_address(settings.DEFAULT_FROM_EMAIL, settings.DEFAULT_CHARSET)
        self._stencils: dict[bool, _Stencil] = {}  # by whether the spliced name is ASCII

    def email(self, recipient: dict[str, Any], connection) -> EmailMultiAlternatives:
        return self._email(
            name=recipient["first_name"] or recipient["username"],
            unsubscribe=unsubscribe_url(user_id=recipient["id"]),
            to=recipient["email"],
            message_id=self._message_id(recipient),
            connection=connection,
        )

    def send(self, recipient: dict[str, Any], connection) -> None:
        """Send the recipient's message over the open connection; smtplib's errors propagate."""
        smtp = connection.connection if isinstance(connection, SmtpBackend) else None
        wire = self.wire(recipient) if smtp is not None else None
        if wire is None:
            self.email(recipient, connection).send()
            return
        envelope_to = sanitize_address(recipient["email"], settings.DEFAULT_CHARSET)
        smtp.sendmail(self.from_email, [envelope_to], wire)

    def wire(self, recipient: dict[str, Any]) -> bytes | None:
        """The recipient's message as it goes on the wire, spliced; None where only the
        ordinary build is exact."""
        name = recipient["first_name"] or recipient["username"]
        if len(name) > SPLICE_LONGEST_NAME or not name.isprintable():
            return None
        stencil = self._stencil(ascii_name=name.isascii())
        unsubscribe = unsubscribe_url(user_id=recipient["id"])
        values = {
            "name": name,
            "name_html": escape(name),
            "unsubscribe": unsubscribe,
            "unsubscribe_html": escape(unsubscribe),
        }
        if any(stencil.boundary.decode() in value for value in values.values()):
            return None
        headers = {
            "To": recipient["email"],
            "Message-ID": self._message_id(recipient),
            "List-Unsubscribe": f"<{unsubscribe}>",
        }
        wire = stencil.wire
        for header, value in headers.items():
            wire = wire.replace(_folded(header, stencil.placeholders[header]), _folded(header, value), 1)
        for part, value in values.items():
            wire = wire.replace(stencil.placeholders[part].encode(), value.encode())
        return wire

    def _message_id(self, recipient: dict[str, Any]) -> str:
        return stable_message_id(f"campaign:{self.campaign.id}:user:{recipient['id']}")

    def _stencil(self, *, ascii_name: bool) -> _Stencil:
        stencil = self._stencils.get(ascii_name)
        if stencil is None or time.monotonic() - stencil.made_at > STENCIL_MAX_AGE:
            stencil = self._stencils[ascii_name] = self._stencil_make(ascii_name=ascii_name)
        return stencil

    def _stencil_make(self, *, ascii_name: bool) -> _Stencil:
        # A placeholder is left alone by HTML escaping and by every header fold; a non-ASCII one
        # gives the body the 8bit transfer encoding a non-ASCII name would.
        token = secrets.token_hex(8)
        body_token = token + ("" if ascii_name else "\u00e9")
        placeholders = {
            part: f"stencil-{part}-{body_token}"
            for part in ("name", "name_html", "unsubscribe", "unsubscribe_html")
        }
        placeholders |= {
            "To": f"stencil-{token}@stencil.invalid",
            "Message-ID": f"<stencil-{token}@stencil.invalid>",
            "List-Unsubscribe": f"<stencil-list-unsubscribe-{token}>",
        }
        message = self._email(
            name=placeholders["name"],
            unsubscribe=placeholders["unsubscribe"],
            to=placeholders["To"],
            message_id=placeholders["Message-ID"],
            connection=None,
            list_unsubscribe=placeholders["List-Unsubscribe"],
            # The HTML part gets placeholders of its own, spliced with escaped values.
            html_values={
                "name": placeholders["name_html"],
                "unsubscribe_url": placeholders["unsubscribe_html"],
            },
        ).message()
        wire = message.as_bytes(linesep="\r\n")
        return _Stencil(
            wire=wire,
            boundary=message.get_boundary().encode(),
            placeholders=placeholders,
            made_at=time.monotonic(),
        )

    def _email(self, *, name: str, unsubscribe: str, to: str, message_id: str, connection,
               list_unsubscribe: str | None = None, html_values: dict[str, str] | None = None,
               ) -> EmailMultiAlternatives:  # fmt: skip
        context = {
            "campaign": self.campaign,
            "body_html": self.body_html,
            "name": name,
            "unsubscribe_url": unsubscribe,
            "site_url": settings.SITE_URL,
        }
        html_context = context | {key: mark_safe(value) for key, value in (html_values or {}).items()}
        email = EmailMultiAlternatives(
            subject=self.campaign.subject,
            body=self.text.render(context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
            headers={
                "Message-ID": message_id,
                "List-Unsubscribe": list_unsubscribe or f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
            connection=connection,
        )
        email.attach_alternative(self.html.render(html_context), "text/html")
        return email


def _folded(header: str, value: str) -> bytes:
    """The header line as Django's message generation writes it (its value check included)."""
    name, checked = forbid_multi_line_headers(header, value, settings.DEFAULT_CHARSET)
    return WIRE_POLICY.fold_binary(name, checked)
