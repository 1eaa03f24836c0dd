"""The real SMTP sink (`python -m devservers.smtp_sink`) as a subprocess for tests.

Use the session fixture `smtp_sink` (tests/conftest.py): it starts one sink on a free port
with its own folder and points settings.EMAIL_HOST / EMAIL_PORT / MAIL_SINK_DIR at it, so
anything that sends mail in the test process (the in-thread `worker` included) reaches it;
worker subprocesses get it through `stack_env()`. The function fixture `mailbox` gives the
same sink emptied for the test.

Recipients drive the sink's failure modes (see SmtpSink.REFUSE / STALL_ONCE):

    refused-...@...  -> 550 5.1.1 on RCPT TO (a permanent per-recipient failure)
    slow-...@...     -> the first message hangs STALL_SECONDS then gets 451, and is not
                        stored; set settings.EMAIL_TIMEOUT below STALL_SECONDS to see a
                        client timeout followed by a successful retry

Reading what arrived:

    smtp_sink.messages()                  # parsed EmailMessages, oldest first
    smtp_sink.count(to="a@example.test")  # how many reached that envelope recipient
    smtp_sink.recipients()                # Counter of envelope recipients
    smtp_sink.wait_for(5)                 # block until at least 5 messages are stored
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from email.message import EmailMessage
from pathlib import Path

from devservers.mailbox import sink_email_get, sink_message_ids
from devservers.smtp_sink import ENVELOPE_HEADER

from .processes import ROOT, free_port, stop_process, wait_for_port


class SmtpSink:
    REFUSE = r"^refused"
    STALL_ONCE = r"^slow"
    STALL_SECONDS = 3.0

    def __init__(
        self,
        directory: Path,
        *,
        port: int | None = None,
        refuse: str | None = REFUSE,
        stall_once: str | None = STALL_ONCE,
        stall_seconds: float = STALL_SECONDS,
    ) -> None:
        self.directory = directory
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self.refuse = refuse
        self.stall_once = stall_once
        self.stall_seconds = stall_seconds
        self.process: subprocess.Popen | None = None

    def start(self) -> SmtpSink:
        args = [sys.executable, "-m", "devservers.smtp_sink", "--host", self.host,
                "--port", str(self.port), "--dir", str(self.directory),
                "--stall-seconds", str(self.stall_seconds)]  # fmt: skip
        if self.refuse:
            args += ["--refuse", self.refuse]
        if self.stall_once:
            args += ["--stall-once", self.stall_once]
        self.directory.mkdir(parents=True, exist_ok=True)
        log = open(self.directory.parent / f"smtp-sink-{self.port}.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        stop_process(self.process)
        self.process = None

    def clear(self) -> None:
        """Delete every stored message (the sink keeps running)."""
        for path in self.directory.glob("*.eml"):
            path.unlink(missing_ok=True)

    def messages(self) -> list[EmailMessage]:
        """Every stored message, parsed, oldest first."""
        ids = reversed(sink_message_ids(directory=self.directory))
        return [sink_email_get(message_id, directory=self.directory) for message_id in ids]

    def recipients(self) -> Counter[str]:
        """How many messages reached each envelope recipient (lower-cased)."""
        counts: Counter[str] = Counter()
        for message in self.messages():
            for address in str(message.get(ENVELOPE_HEADER, "")).split(","):
                if address.strip():
                    counts[address.strip().lower()] += 1
        return counts

    def count(self, *, to: str | None = None) -> int:
        if to is None:
            return len(sink_message_ids(directory=self.directory))
        return self.recipients()[to.lower()]

    def wait_for(self, count: int, *, timeout: float = 30) -> list[EmailMessage]:
        """Wait until at least `count` messages are stored; return them (oldest first)."""
        deadline = time.monotonic() + timeout
        while self.count() < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.count()} of {count} messages arrived within {timeout}s")
            time.sleep(0.05)
        return self.messages()
