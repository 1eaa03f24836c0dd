"""Holding the termination signals back while a block that must not be cut half-way runs."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from billiard.common import TERM_SIGNAL


@contextmanager
def termination_deferred() -> Iterator[None]:
    """SIGTERM (and billiard's TERM_SIGNAL) wait until the block has ended: wrap an action
    and the record of its outcome.

    Mail: a prefork worker cancels its running tasks by signalling the child, when it loses
    the broker (worker_cancel_long_running_tasks_on_connection_loss) and at the end of a cold
    shutdown's soft wait. The signal is billiard's TERM_SIGNAL: SIGTERM, or SIGQUIT under
    REMAP_SIGTERM=SIGQUIT (how the stack starts its workers). One cut between the SMTP
    server's "250 OK" and the row saying `sent` leaves a message whose outcome nobody knows.
    Beat: a stop between publishing a scheduled run and committing its period's claim would
    let another beat send that period again (shop/platform/beat/scheduler.py).
    Only the main thread can hold a signal back; thread-pool tasks are never terminated that
    way. SIGKILL still cuts anywhere: the claims cover that.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, TERM_SIGNAL})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
