"""Keeps Jobs up to date from Celery itself, so feature code never has to.

`TrackedTask` is the app's default task class (see shop/celery.py): before each run it marks
the step started and skips steps of a cancelled Job. Task signals record retries, success,
failure and revocation. A step knows its Job from its message headers (planned in
shop.platform.jobs.canvas); a task without them belongs to no Job and costs no query at all. The
request id travels as a header too, so the logs of a web request and of the tasks it caused
share it.

Tracking never breaks the work it tracks: each record is written after the task's own work
(and in its own transaction), and a failed write is logged, not raised. So the task's
effect and its acknowledgement stand — never lost, never redone because of tracking; the
step then shows its last recorded state until a later delivery of it (job_redispatch)
records again.
"""

from __future__ import annotations

import logging

from celery import Task, signals
from celery.exceptions import Ignore

from shop.platform import log_context
from shop.platform.result_backend import follow_results

from . import services
from .canvas import JOB_HEADER, ROLE_HEADER, SUBJECT_HEADER, step_name
from .celery_compat import ConnectionLossSafeRequest
from .models import JobStep

logger = logging.getLogger(__name__)


def job_of(request) -> int | None:
    """The Job id a task's message carries (None: the task belongs to no Job)."""
    job_id = request.get(JOB_HEADER) if request is not None else None
    return int(job_id) if job_id is not None else None


class TrackedTask(Task):
    """Base class of every task: binds log context, records the step, honours cancel."""

    Request = ConnectionLossSafeRequest

    def __call__(self, *args, **kwargs):
        request = self.request
        if request.id and not request.is_eager:
            log_context.bind(task_id=request.id, request_id=request.get("request_id") or "-")
            job_id = job_of(request)
            if job_id is not None:
                log_context.bind(job_id=job_id, business_key=request.get(SUBJECT_HEADER) or "-")
                if _safely(services.step_started, job_id=job_id, task_id=request.id) is False:
                    logger.info("Skipping %s: its job was cancelled", self.name)
                    raise Ignore()
        return super().__call__(*args, **kwargs)


def _safely(func, **kwargs):
    """Tracking must never break the work it tracks."""
    try:
        return func(**kwargs)
    except Exception:
        logger.exception("Job tracking failed in %s", func.__name__)
        return None


@signals.before_task_publish.connect
def _forward_request_id(headers=None, **_):
    request_id = log_context.request_id_var.get()
    if headers is not None and request_id != "-" and "request_id" not in headers:
        headers["request_id"] = request_id


@signals.task_retry.connect
def _on_retry(request=None, reason=None, **_):
    if (job_id := job_of(request)) is not None:
        _safely(services.step_retried, job_id=job_id, task_id=request.id, reason=str(reason))


@signals.task_success.connect
def _on_success(sender=None, **_):
    request = sender.request if sender is not None else None
    if (job_id := job_of(request)) is not None:
        counts = request.get(ROLE_HEADER) != JobStep.Role.ON_ERROR
        _safely(services.step_succeeded, job_id=job_id, task_id=request.id, counts=counts)


@signals.task_failure.connect
def _on_failure(sender=None, task_id=None, exception=None, **_):
    if not task_id or sender is None:
        return
    if sender.request.id == task_id:
        job_id = job_of(sender.request)
    else:
        # Sent by the worker's main process (a killed child, a hard time limit): the task's
        # request is not at hand, so its Job is looked up, on this rare path only.
        job_id = _safely(services.step_job, task_id=task_id)
    if job_id is not None:
        error = f"{type(exception).__name__}: {exception}"
        _safely(
            services.step_failed, job_id=job_id, task_id=task_id, name=step_name(sender.name), error=error
        )


@signals.task_revoked.connect
def _on_revoked(request=None, **_):
    if (job_id := job_of(request)) is not None:
        _safely(services.step_revoked, job_id=job_id, task_id=request.id)


@signals.task_prerun.connect
def _stop_following_results(**_):
    follow_results(False)


@signals.task_postrun.connect
def _clear_task_context(**_):
    log_context.clear()
    follow_results(True)
