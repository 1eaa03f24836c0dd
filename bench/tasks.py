"""The bench's own tasks: a no-op for Celery's ceiling and a probe that measures its own wait.

Plain `celery.Task`, not the shop's TrackedTask: they belong to no Job and measure the
broker and worker alone. The app's task signals still run for them, as for every task of
this worker, and find no Job header: no query.
"""

from __future__ import annotations

import time

from celery import Task, shared_task


@shared_task(base=Task)
def noop() -> None:
    """Nothing at all: what is left is Celery's own cost per task."""


@shared_task(base=Task)
def wait_probe(sent_at: float) -> float:
    """Seconds between being sent and starting (same machine, so one wall clock)."""
    return time.time() - sent_at
