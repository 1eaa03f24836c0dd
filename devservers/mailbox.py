"""Reads the SMTP sink's folder (MAIL_SINK_DIR): the messages it received, newest first.

Used by the staff mailbox API and by the tests' `smtp_sink` fixture. A message's id is its
file name without `.eml`; ids are validated before they touch the file system.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from django.conf import settings

from .smtp_sink import ENVELOPE_HEADER

MESSAGE_ID_PATTERN = re.compile(r"^\d{20}-[0-9a-f]{8}$")
SHOWN_HEADERS = (
    "From", "To", "Cc", "Subject", "Date", "Message-ID", "Reply-To",
    "List-Unsubscribe", "List-Unsubscribe-Post", ENVELOPE_HEADER,
)  # fmt: skip


class SinkMessageNotFound(LookupError):
    """No message (or attachment) with that id in the sink's folder."""


@dataclass(frozen=True)
class SinkAttachment:
    index: int
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class SinkMessage:
    id: str
    received_at: datetime
    headers: dict[str, str]
    envelope_to: list[str]
    text: str
    html: str
    attachments: list[SinkAttachment] = field(default_factory=list)


def _sink_dir(directory: Path | None) -> Path:
    return Path(directory if directory is not None else settings.MAIL_SINK_DIR)


def sink_message_ids(*, directory: Path | None = None) -> list[str]:
    """Ids of every stored message, newest first (file names sort by receive time)."""
    folder = _sink_dir(directory)
    if not folder.is_dir():
        return []
    return sorted((p.stem for p in folder.glob("*.eml") if not p.name.startswith(".")), reverse=True)


def sink_email_get(message_id: str, *, directory: Path | None = None) -> EmailMessage:
    """The parsed message; SinkMessageNotFound for an unknown or malformed id."""
    if not MESSAGE_ID_PATTERN.match(message_id):
        raise SinkMessageNotFound(message_id)
    path = _sink_dir(directory) / f"{message_id}.eml"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SinkMessageNotFound(message_id) from None
    return email.message_from_bytes(raw, policy=email.policy.default)


def _header_value(message: EmailMessage, name: str) -> str:
    """A header as its reader means it: unfolded, and whitespace-normalised.

    Generators fold a long header onto continuation lines (a long List-Unsubscribe URL starts
    on the next one); the parser removes the line breaks but keeps their white space, so the
    value would start with a space. RFC 5322 treats each such run as one space.
    """
    return " ".join(str(message[name]).split())


def _attachment_parts(message: EmailMessage) -> list:
    return list(message.iter_attachments())


def _body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_type() != f"text/{subtype}":
        return ""
    return part.get_content()


def _received_at(message_id: str) -> datetime:
    return datetime.fromtimestamp(int(message_id.split("-", 1)[0]) / 1e9, tz=UTC)


def sink_message_get(message_id: str, *, directory: Path | None = None) -> SinkMessage:
    message = sink_email_get(message_id, directory=directory)
    attachments = [
        SinkAttachment(
            index=index,
            filename=part.get_filename() or f"attachment-{index}",
            content_type=part.get_content_type(),
            size=len(part.get_payload(decode=True) or b""),
        )
        for index, part in enumerate(_attachment_parts(message))
    ]
    envelope = message.get(ENVELOPE_HEADER, "")
    return SinkMessage(
        id=message_id,
        received_at=_received_at(message_id),
        headers={name: _header_value(message, name) for name in SHOWN_HEADERS if message[name] is not None},
        envelope_to=[address.strip() for address in envelope.split(",") if address.strip()],
        text=_body(message, "plain"),
        html=_body(message, "html"),
        attachments=attachments,
    )


def sink_attachment_get(
    message_id: str, index: int, *, directory: Path | None = None
) -> tuple[str, str, bytes]:
    """(filename, content type, content) of one attachment of a stored message."""
    parts = _attachment_parts(sink_email_get(message_id, directory=directory))
    if not 0 <= index < len(parts):
        raise SinkMessageNotFound(f"{message_id}/{index}")
    part = parts[index]
    return (
        part.get_filename() or f"attachment-{index}",
        part.get_content_type(),
        part.get_payload(decode=True) or b"",
    )
