"""The dispatch outbox: a Job's serialised canvas is sent once its transaction commits.

If the broker is down at that moment the Job stays "waiting for the broker" and
`pending_dispatches_sweep` (on beat) sends it later: the work is never lost. A re-send
reuses the task ids planned up front, and every step is idempotent by business key, so
the rare double send (a crash between publishing and recording it) does nothing twice.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from celery import signature as celery_signature
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from shop.celery import app
from shop.platform import log_context
from shop.platform.result_backend import results_not_followed

from .models import Job

logger = logging.getLogger(__name__)

# A dispatch claimed this long ago by a process that never finished it is claimed again.
STALE_CLAIM = timedelta(minutes=2)
BROKER_ERRORS = (OperationalError, RedisError, ConnectionError, OSError, TimeoutError)
BREAKER_OPEN_MESSAGE = "Not sent: the broker was unreachable moments ago; the sweeper will send it."


class _BrokerBreaker:
    """After a failed send, on-commit dispatches in this process leave their Job pending for
    a few seconds instead of each paying for another failed connection (a web request
    during an outage, the demo seed before Redis starts); the sweeper sends them later."""

    open_for = 5.0

    def __init__(self) -> None:
        self.closed_at = 0.0

    def is_open(self) -> bool:
        return time.monotonic() < self.closed_at

    def trip(self) -> None:
        self.closed_at = time.monotonic() + self.open_for

    def reset(self) -> None:
        self.closed_at = 0.0


broker_breaker = _BrokerBreaker()


def job_dispatch(*, job_id: int, from_sweeper: bool = False) -> bool:
    """Send a Job's canvas to the broker. Returns False if it stays pending (or was sent)."""
    if broker_breaker.is_open() and not from_sweeper:
        Job.objects.filter(id=job_id, dispatch_state=Job.DispatchState.PENDING).update(
            dispatch_error=BREAKER_OPEN_MESSAGE
        )
        return False
    claimed_at = timezone.now()
    claimed = Job.objects.filter(id=job_id, dispatch_state=Job.DispatchState.PENDING).update(
        dispatch_state=Job.DispatchState.DISPATCHING,
        dispatch_claimed_at=claimed_at,
        dispatch_attempts=F("dispatch_attempts") + 1,
    )
    if not claimed:
        return False
    job = Job.objects.only("signature", "subject", "request_id").get(id=job_id)
    return claimed_job_send(
        job_id=job_id, claimed_at=claimed_at, signature=job.signature, subject=job.subject,
        request_id=job.request_id,
    )  # fmt: skip


def claimed_job_send(
    *, job_id: int, claimed_at: datetime, signature: dict, subject: str, request_id: str
) -> bool:
    """Send a canvas whose Job this process has claimed (DISPATCHING at `claimed_at`).

    `workflow_start` creates its Job already claimed, so a checkout pays one write after
    its commit instead of two; if this process dies before sending, the sweeper takes the
    claim back after STALE_CLAIM and sends it.
    """
    # Only this claim's outcome is recorded: by then a running step may have put the next
    # stage in the outbox (workflow_extend), which must stay pending until it is sent.
    this_claim = Job.objects.filter(
        id=job_id, dispatch_state=Job.DispatchState.DISPATCHING, dispatch_claimed_at=claimed_at
    )
    log_context.bind(job_id=job_id, business_key=subject)
    if request_id:
        log_context.bind(request_id=request_id)
    try:
        with results_not_followed():
            celery_signature(signature, app=app).apply_async()
    except BROKER_ERRORS as exc:
        this_claim.update(
            dispatch_state=Job.DispatchState.PENDING, dispatch_error=f"{type(exc).__name__}: {exc}"
        )
        broker_breaker.trip()
        logger.warning("Broker unavailable; job %s stays pending dispatch: %s", job_id, exc)
        return False
    broker_breaker.reset()
    this_claim.update(
        dispatch_state=Job.DispatchState.DISPATCHED, dispatched_at=timezone.now(), dispatch_error=""
    )
    logger.info("Dispatched job %s", job_id)
    return True


def pending_dispatches_sweep(*, older_than: timedelta = timedelta(seconds=10)) -> int:
    """Dispatch every Job whose dispatch never happened (broker down, process died)."""
    now = timezone.now()
    Job.objects.filter(
        dispatch_state=Job.DispatchState.DISPATCHING, dispatch_claimed_at__lt=now - STALE_CLAIM
    ).update(dispatch_state=Job.DispatchState.PENDING)
    pending = Job.objects.filter(
        dispatch_state=Job.DispatchState.PENDING, created_at__lt=now - older_than
    ).exclude(status=Job.Status.CANCELLED)
    sent = 0
    for job_id in pending.order_by("created_at").values_list("id", flat=True)[:500]:
        if job_dispatch(job_id=job_id, from_sweeper=True):
            sent += 1
        elif Job.objects.filter(id=job_id, dispatch_state=Job.DispatchState.PENDING).exists():
            break  # The broker is still down; the next sweep tries again.
    return sent


def job_redispatch(*, job_id: int, quiet_for: timedelta) -> bool:
    """Send a Job's stored canvas again when its work has gone quiet: sent, unfinished, and
    no step has started, retried or finished for `quiet_for`.

    That is what lost messages look like: Redis lost data, a worker was killed between
    taking a message and recording it as unacked, or a chord header was killed after
    storing its result but before its part was counted (so the chord never fires).
    `quiet_for` must exceed the longest hard time limit plus the longest retry countdown of
    the Job's tasks, so that a slow step is never taken for a lost one. Every step is
    idempotent by business key: those that already ran do nothing the second time.
    Returns False if the Job is active, finished, or stays pending for the outbox sweeper.
    """
    cutoff = timezone.now() - quiet_for
    reset = Job.objects.filter(
        id=job_id,
        status__in=[Job.Status.PENDING, Job.Status.RUNNING],
        dispatch_state=Job.DispatchState.DISPATCHED,
        dispatched_at__lte=cutoff,
        updated_at__lte=cutoff,
    ).update(dispatch_state=Job.DispatchState.PENDING)
    if reset:
        logger.warning("Job %s has been quiet for %s; sending its workflow again", job_id, quiet_for)
    return bool(reset) and job_dispatch(job_id=job_id, from_sweeper=True)
