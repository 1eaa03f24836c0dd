"""What every send shares: the global rate, stable Message-IDs, attachments, SMTP error classes.

SMTP errors split in two. Transient (the connection failed or timed out, the server said
4xx, the rate limit did not grant a token in time) are worth retrying: callers raise
`TransientMailError` and the task's autoretry does the rest. Permanent (5xx: recipient
refused, message rejected) are recorded on the message or delivery and never retried.
"""

from __future__ import annotations

import hashlib
import signal
import smtplib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import parseaddr
from pathlib import Path

from billiard.common import TERM_SIGNAL
from django.conf import settings

from shop.coordination import RateLimitTimeout, TokenBucket

# A token must be granted within this long, or the send counts as a transient failure.
RATE_LIMIT_WAIT_SECONDS = 30


class TransientMailError(Exception):
    """A send failed in a way a later retry may fix."""


class PermanentMailError(Exception):
    """A send failed in a way no retry will fix (5xx, missing attachment)."""


def mail_rate_limit_wait() -> None:
    """Take one token from the send rate shared by every worker (settings read each call)."""
    bucket = TokenBucket("mail:send", rate=settings.MAIL_SEND_RATE, capacity=settings.MAIL_SEND_BURST)
    try:
        bucket.acquire(timeout=RATE_LIMIT_WAIT_SECONDS)
    except RateLimitTimeout as exc:
        raise TransientMailError(str(exc)) from exc


@contextmanager
def termination_deferred() -> Iterator[None]:
    """A pool child's termination signal waits until the block has ended: wrap a send and
    the record of its outcome.

    A prefork worker cancels its running tasks by signalling the child: when it loses the
    broker (worker_cancel_long_running_tasks_on_connection_loss) and at the end of a cold
    shutdown's soft wait. The signal is billiard's TERM_SIGNAL: SIGTERM, or SIGQUIT under
    REMAP_SIGTERM=SIGQUIT (how the stack starts its workers). One cut between the SMTP
    server's "250 OK" and the row saying `sent` leaves a message whose outcome nobody
    knows. Only the main thread can hold the signal back; thread-pool tasks are never
    terminated that way. SIGKILL still cuts anywhere: the claims cover that.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {TERM_SIGNAL})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def stable_message_id(key: str) -> str:
    """The same Message-ID for the same business key, so a repeat is recognisable downstream."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "greengrocer.test"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def attachment_path(stored: str) -> Path:
    """Attachments are stored absolute or relative to MEDIA_ROOT (so tests can move it)."""
    path = Path(stored)
    return path if path.is_absolute() else Path(settings.MEDIA_ROOT) / path


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
