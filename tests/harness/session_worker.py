"""The test session's in-thread Celery worker (solo pool, every queue), kept usable.

A Redis restart can kill it: kombu's Redis transport sometimes fails while it restores
unacked messages on the lost connection ("'NoneType' object has no attribute 'hostname'",
celery/kombu#582) and the worker stops with "Unrecoverable error". In production a
supervisor (compose's `restart:`) starts the process again; in the test process this
class does, so one fault-injection test cannot fail every test after it.
"""

from __future__ import annotations

import logging
import time
from contextlib import ExitStack

from celery import bootsteps
from celery.contrib.testing.worker import start_worker
from celery.worker import WorkController

from shop.celery import QUEUE_NAMES, app

from .control import consumer_command

logger = logging.getLogger(__name__)

# A consumer that lost Redis reconnects with back-off (2 s, 4 s, ...): long enough for that.
RECONNECT_SECONDS = 30


class SessionWorker:
    def __init__(self) -> None:
        self._stack: ExitStack | None = None
        self.controller: WorkController | None = None

    def start(self) -> SessionWorker:
        self._stack = ExitStack()
        embedded = start_worker(
            app,
            pool="solo",
            concurrency=1,
            queues=list(QUEUE_NAMES),
            perform_ping_check=False,
            loglevel="WARNING",
            shutdown_timeout=30,
            # Heartbeats keep its event dispatcher on, so `enable_events` (Flower) can add task
            # events as it does on the Procfile workers; task events stay off until then.
            without_heartbeat=False,
        )
        self.controller = self._stack.enter_context(embedded)
        return self

    def stop(self) -> None:
        if self._stack is not None:
            self._stack.close()
            self._stack = None

    def _connected(self) -> bool:
        deadline = time.monotonic() + RECONNECT_SECONDS
        while self.controller.blueprint.state == bootsteps.RUN:
            if self.controller.consumer.task_consumer is not None:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.2)
        return False

    def ready(self) -> WorkController:
        """The worker, running, connected and consuming every queue (started again if not)."""
        if not self._connected():
            logger.warning(
                "The session's worker died (%s); starting it again", self.controller.blueprint.state
            )
            self.stop()
            self.start()
        consuming = {queue.name for queue in self.controller.consumer.task_consumer.queues}
        # A test that stepped the worker aside from some queues and failed to hand them back.
        for queue in sorted(set(QUEUE_NAMES) - consuming):
            consumer_command("add_consumer", queue, self.controller.hostname)
        return self.controller
