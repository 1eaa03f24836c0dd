"""Waiting for work that runs on a real worker, and losing its messages on purpose."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from django.db import transaction

from shop.platform.jobs.models import Job


def wait_until(condition: Callable[[], object], *, timeout: float = 60, interval: float = 0.1,
               message: str = "condition") -> object:  # fmt: skip
    """Poll `condition` until it returns something truthy; return that."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"{message} not met within {timeout}s")
        time.sleep(interval)


def wait_for_job(job: Job | int, *, timeout: float = 60, status: str | None = None) -> Job:
    """Wait until the Job is finished (or reaches `status`); return it fresh from the database."""
    job_id = job if isinstance(job, int) else job.id

    def reached() -> Job | None:
        current = Job.objects.get(id=job_id)
        done = current.status == status if status else current.is_finished
        return current if done else None

    try:
        return wait_until(reached, timeout=timeout, message=f"job {job_id} finished")
    except TimeoutError:
        current = Job.objects.prefetch_related("steps").get(id=job_id)
        steps = ", ".join(f"{s.name}={s.state}" for s in current.steps.all())
        raise TimeoutError(
            f"job {job_id} still {current.status} after {timeout}s "
            f"(dispatch {current.dispatch_state}; steps: {steps})"
        ) from None


def job_sent_and_lost(job_id: int, *, sent_at: datetime, quiet_since: datetime | None = None) -> None:
    """Inside the transaction that starts the Job: as if its workflow had been sent at
    `sent_at` and Redis had then lost the messages. The outbox's on-commit send is dropped."""
    sent = {"dispatch_state": Job.DispatchState.DISPATCHED, "dispatched_at": sent_at}
    Job.objects.filter(id=job_id).update(**sent, **({"updated_at": quiet_since} if quiet_since else {}))
    transaction.get_connection().run_on_commit.clear()
