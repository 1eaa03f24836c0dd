"""What every send shares: the global rate, stable Message-IDs, attachments, SMTP error classes.

SMTP errors split in two. Transient (the connection failed or timed out, the server said
4xx, the rate limit did not grant a token in time) are worth retrying: callers raise
`TransientMailError` and the task's autoretry does the rest. Permanent (5xx: recipient
refused, message rejected) are recorded on the message or delivery and never retried.
"""

from __future__ import annotations

import hashlib
import posixpath
import smtplib
from email.utils import parseaddr

from django.conf import settings
from django.core.files.storage import default_storage

from shop.platform.coordination import RateLimitTimeout, TokenBucket
from shop.platform.errors import TransientError
from shop.platform.termination import termination_deferred as termination_deferred  # used by the senders

# A token must be granted within this long, or the send counts as a transient failure.
RATE_LIMIT_WAIT_SECONDS = 30


class TransientMailError(TransientError):
    """A send failed in a way a later retry may fix."""


class PermanentMailError(Exception):
    """A send failed in a way no retry will fix (5xx, missing attachment)."""


def mail_rate_limit_wait(*, tokens: int = 1) -> None:
    """Take `tokens` sends from the rate shared by every worker (settings read each call)."""
    bucket = TokenBucket("mail:send", rate=settings.MAIL_SEND_RATE, capacity=settings.MAIL_SEND_BURST)
    try:
        bucket.acquire(tokens, timeout=RATE_LIMIT_WAIT_SECONDS)
    except RateLimitTimeout as exc:
        raise TransientMailError(str(exc)) from exc


def mail_rate_grant_most(most: int) -> int:
    """How many sends one grant may cover: `most`, but never above the bucket's burst (a
    bigger grant would never come) nor below one."""
    return max(1, min(most, int(settings.MAIL_SEND_BURST)))


def stable_message_id(key: str) -> str:
    """The same Message-ID for the same business key, so a repeat is recognisable downstream."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "greengrocer.test"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def attachment_exists(name: str) -> bool:
    """Attachments are names in the media storage (STORAGES["default"]), never paths."""
    return default_storage.exists(name)


def attachment_read(name: str) -> tuple[str, bytes]:
    """(file name, content) of an attachment; a missing one is a permanent failure."""
    try:
        with default_storage.open(name, "rb") as handle:
            return posixpath.basename(name), handle.read()
    except FileNotFoundError as exc:
        raise PermanentMailError(f"attachment missing: {name}") from exc


def _is_permanent_code(code: int) -> bool:
    return code >= 500


def smtp_error_classify(exc: OSError) -> TransientMailError | PermanentMailError:
    """Map an error from smtplib or the socket to a transient or permanent mail error."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        details = "; ".join(
            f"{rcpt}: {code} {message.decode(errors='replace') if isinstance(message, bytes) else message}"
            for rcpt, (code, message) in exc.recipients.items()
        )
        error_class = (
            PermanentMailError if codes and all(map(_is_permanent_code, codes)) else TransientMailError
        )
        return error_class(f"recipient refused: {details}")
    if isinstance(exc, smtplib.SMTPResponseException):
        message = (
            exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        )
        error_class = PermanentMailError if _is_permanent_code(exc.smtp_code) else TransientMailError
        return error_class(f"{exc.smtp_code} {message}")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        # We asked for STARTTLS or AUTH and the server has neither: configuration, not luck.
        return PermanentMailError(f"server does not support what EMAIL_* settings ask for: {exc}")
    # Disconnects, refused connections, timeouts, DNS: the server may be back soon.
    return TransientMailError(f"{type(exc).__name__}: {exc}")
