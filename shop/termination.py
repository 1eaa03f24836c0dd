"""Holding SIGTERM back while a block that must not be cut half-way runs."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def termination_deferred() -> Iterator[None]:
    """SIGTERM waits until the block has ended: wrap an action and the record of its outcome.

    Mail: a prefork worker that loses the broker terminates its running tasks with SIGTERM
    (worker_cancel_long_running_tasks_on_connection_loss), and one cut between the SMTP
    server's "250 OK" and the row saying `sent` leaves a message whose outcome nobody
    knows. Only the main thread can hold SIGTERM back; thread-pool tasks are never
    terminated that way. SIGKILL still cuts anywhere: the claims cover that.
    Beat: a stop between publishing a scheduled run and committing its period's claim
    would let another beat send that period again (shop/beat/scheduler.py).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
