"""The bench's own tasks: the shop's no-op (ceiling, priority) and a probe that measures its own wait.

The no-op is a task of the shop's own class (TrackedTask), like every task of the shop: sent
on its own it belongs to no Job and pays what untracked work pays (no Job header: no query); as a Job's step
(the ceiling's tracked step) it is tracked. The probe is a plain `celery.Task`, so the
priority scenario's figure is the broker's wait alone.
"""

from __future__ import annotations

import time

from celery import Task, shared_task


@shared_task
def noop() -> None:
    """Nothing at all: what is left is Celery's own cost per task."""


@shared_task(base=Task)
def wait_probe(sent_at: float) -> float:
    """Seconds between being sent and starting (same machine, so one wall clock)."""
    return time.time() - sent_at
