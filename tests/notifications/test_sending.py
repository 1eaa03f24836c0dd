"""The shared send helpers: SIGTERM held back while a send and its record are under way."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import time

from notifications.sending import termination_deferred


def _send_then_record(path: str, *, deferred: bool) -> None:
    """Stands in for a send: SIGTERM arrives after the SMTP server's OK, before the record."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # as in a prefork pool child
    with termination_deferred() if deferred else contextlib.nullcontext():
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.2)
        with open(path, "w") as record:
            record.write("sent")
    time.sleep(0.2)
    with open(path, "a") as record:
        record.write(" and carried on")


def _run(tmp_path, *, deferred: bool) -> tuple[int, str]:
    path = tmp_path / f"record-{deferred}.txt"
    process = multiprocessing.get_context("fork").Process(
        target=_send_then_record, args=(str(path),), kwargs={"deferred": deferred}
    )
    process.start()
    process.join(10)
    return process.exitcode, path.read_text() if path.exists() else ""


def test_sigterm_during_the_block_lands_after_the_record_is_written(tmp_path):
    exit_code, record = _run(tmp_path, deferred=True)

    assert exit_code == -signal.SIGTERM
    assert record == "sent"  # written, and the process ended as soon as the block did


def test_without_the_block_sigterm_cuts_before_the_record(tmp_path):
    exit_code, record = _run(tmp_path, deferred=False)

    assert exit_code == -signal.SIGTERM
    assert record == ""
