"""Keeps Jobs up to date from Celery itself, so feature code never has to.

`TrackedTask` is the app's default task class (see shop/celery.py): before each run it marks
the step started and skips steps of a cancelled Job. Task signals record retries, success,
failure and revocation. The request id travels as a message header so the logs of a web
request and of the tasks it caused share it. Its worker-side `Request` fixes how Celery
cancels tasks when Redis goes away (see ConnectionLossSafeRequest).
"""

from __future__ import annotations

import logging

from celery import Task, signals
from celery.exceptions import Ignore
from celery.worker.request import Request

from shop import log_context
from shop.result_backend import follow_results

from . import services
from .models import JobStep

logger = logging.getLogger(__name__)


class ConnectionLossSafeRequest(Request):
    """A task cancelled because the broker connection was lost is delivered again, never
    recorded as revoked.

    On a lost connection (worker_cancel_long_running_tasks_on_connection_loss) the worker
    kills each running late-ack task, then records a RETRY in the result backend, and only
    then notes that it cancelled the task. When Redis (broker and result backend) is down,
    that record fails, the note is never made, and the killed child's exit is announced as
    a revocation ("terminated"): a chord header fails its chord, whose errback fails the
    order or campaign, and the step is marked REVOKED, so every later delivery of it is
    skipped as cancelled. Noting the cancellation first keeps Celery's intent: the message
    stays unacked and comes back.
    """

    def _announce_cancelled(self, emit_retry=True):
        self._already_cancelled = True
        super()._announce_cancelled(emit_retry=emit_retry)


class TrackedTask(Task):
    """Base class of every task: binds log context, records the step, honours cancel."""

    Request = ConnectionLossSafeRequest

    def __call__(self, *args, **kwargs):
        task_id = self.request.id
        if task_id and not self.request.is_eager:
            log_context.bind(task_id=task_id, request_id=self.request.get("request_id") or "-")
            job_id = _safely(services.step_started, task_id=task_id)
            if job_id is not None:
                log_context.bind(job_id=job_id, business_key=_subject(job_id))
                state = JobStep.objects.filter(task_id=task_id).values_list("state", flat=True)
                if state.first() == JobStep.State.REVOKED:
                    logger.info("Skipping %s: its job was cancelled", self.name)
                    raise Ignore()
        return super().__call__(*args, **kwargs)


def _subject(job_id: int) -> str:
    from .models import Job

    return Job.objects.filter(id=job_id).values_list("subject", flat=True).first() or "-"


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
    if request is not None:
        _safely(services.step_retried, task_id=request.id, reason=str(reason))


@signals.task_success.connect
def _on_success(sender=None, **_):
    if sender is not None and sender.request.id:
        _safely(services.step_succeeded, task_id=sender.request.id)


@signals.task_failure.connect
def _on_failure(task_id=None, exception=None, **_):
    if task_id:
        _safely(services.step_failed, task_id=task_id, error=f"{type(exception).__name__}: {exception}")


@signals.task_revoked.connect
def _on_revoked(request=None, **_):
    if request is not None:
        _safely(services.step_revoked, task_id=request.id)


@signals.task_prerun.connect
def _stop_following_results(**_):
    follow_results(False)


@signals.task_postrun.connect
def _clear_task_context(**_):
    log_context.clear()
    follow_results(True)
