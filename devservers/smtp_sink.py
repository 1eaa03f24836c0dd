"""The local mail server: `python -m devservers.smtp_sink`.

An aiosmtpd server that accepts every message and stores it, byte for byte, as one `.eml`
file under MAIL_SINK_DIR (default var/mail/). File names start with the receive time in
nanoseconds, so sorting names sorts by arrival; each file is written to a temporary name
and renamed, so a reader (the mailbox API, a test) never sees half a message.

Two switches make failures reproducible in tests and demos (both are regular expressions
matched against each envelope recipient, case-insensitively):

- `--refuse` / SMTP_SINK_REFUSE: answer RCPT TO with `550 5.1.1` (a permanent failure).
- `--stall-once` / SMTP_SINK_STALL_ONCE: the first message to a matching recipient hangs
  for `--stall-seconds` (SMTP_SINK_STALL_SECONDS) after DATA and is then refused with a
  `451` and not stored, so a client with a shorter timeout sees a timeout and its retry
  gets through.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import signal
import time
import uuid
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

logger = logging.getLogger("devservers.smtp_sink")

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "var" / "mail"
# Envelope recipients are recorded as a header so a Bcc'd or refused-in-part message can
# still be counted per recipient.
ENVELOPE_HEADER = "X-Sink-Envelope-To"


def _pattern(value: str | None) -> re.Pattern[str] | None:
    return re.compile(value, re.IGNORECASE) if value else None


class SinkHandler:
    """aiosmtpd handler: refuse or stall some recipients, store everything else."""

    def __init__(
        self,
        directory: Path,
        *,
        refuse: str | None = None,
        stall_once: str | None = None,
        stall_seconds: float = 5.0,
    ) -> None:
        self.directory = directory
        self.refuse = _pattern(refuse)
        self.stall_once = _pattern(stall_once)
        self.stall_seconds = stall_seconds
        self.stalled: set[str] = set()
        self.directory.mkdir(parents=True, exist_ok=True)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options
    ):
        if self.refuse and self.refuse.search(address):
            logger.info("refusing recipient %s", address)
            return f"550 5.1.1 <{address}>: recipient refused by the sink"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        to_stall = [
            rcpt
            for rcpt in envelope.rcpt_tos
            if self.stall_once and self.stall_once.search(rcpt) and rcpt.lower() not in self.stalled
        ]
        if to_stall:
            self.stalled.update(rcpt.lower() for rcpt in to_stall)
            logger.info("stalling %ss for %s", self.stall_seconds, ", ".join(to_stall))
            await asyncio.sleep(self.stall_seconds)
            return "451 4.3.0 the sink stalled on purpose; try again"
        path = self.store(envelope)
        logger.info("stored %s for %s", path.name, ", ".join(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def store(self, envelope: Envelope) -> Path:
        content = envelope.original_content or b""
        header = f"{ENVELOPE_HEADER}: {', '.join(envelope.rcpt_tos)}\r\n".encode()
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.eml"
        temporary = self.directory / f".{name}.tmp"
        temporary.write_bytes(header + content)
        final = self.directory / name
        os.replace(temporary, final)
        return final


def build_controller(
    *,
    host: str,
    port: int,
    directory: Path,
    refuse: str | None = None,
    stall_once: str | None = None,
    stall_seconds: float = 5.0,
) -> Controller:
    handler = SinkHandler(directory, refuse=refuse, stall_once=stall_once, stall_seconds=stall_seconds)
    # 32 MB: invoices and report PDFs fit; the default (33 MB) would do, but say it.
    return Controller(handler, hostname=host, port=port, data_size_limit=32 * 1024 * 1024)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Local SMTP server that stores messages as .eml files.")
    parser.add_argument("--host", default=os.environ.get("SMTP_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("SMTP_PORT", "1025")))
    parser.add_argument("--dir", type=Path, default=Path(os.environ.get("MAIL_SINK_DIR", DEFAULT_DIR)))
    parser.add_argument("--refuse", default=os.environ.get("SMTP_SINK_REFUSE") or None)
    parser.add_argument("--stall-once", default=os.environ.get("SMTP_SINK_STALL_ONCE") or None)
    parser.add_argument(
        "--stall-seconds", type=float, default=float(os.environ.get("SMTP_SINK_STALL_SECONDS", "5"))
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = _arguments(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command
    controller = build_controller(
        host=args.host,
        port=args.port,
        directory=args.dir,
        refuse=args.refuse,
        stall_once=args.stall_once,
        stall_seconds=args.stall_seconds,
    )
    # Block the stop signals before the server thread starts (it inherits the mask), then
    # wait for one in the main thread and shut down cleanly.
    stop_signals = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    controller.start()
    logger.info("SMTP sink listening on %s:%s, storing in %s", args.host, args.port, args.dir)
    signal.sigwait(stop_signals)
    controller.stop()


if __name__ == "__main__":
    main()
