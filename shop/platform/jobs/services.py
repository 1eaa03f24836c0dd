"""Writes for job tracking: starting workflows, recording steps, cancelling.

`workflow_start` is the one way feature code starts a workflow. It records a Job, its steps
and the serialised canvas in the caller's transaction, and sends the canvas only when that
transaction commits. If the broker is down then, the Job stays "waiting for the broker" and
`shop.platform.jobs.dispatch` sends it later: the work is never lost.
"""

from __future__ import annotations

import logging
from functools import partial

from celery.canvas import Signature
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from shop.celery import Priority, app
from shop.platform import log_context

from . import step_statements
from .canvas import PlannedStep, job_headers, plan_workflow
from .dispatch import BREAKER_OPEN_MESSAGE, BROKER_ERRORS, broker_breaker, claimed_job_send, job_dispatch
from .models import Job, JobStep

logger = logging.getLogger(__name__)


def _current_request_id() -> str:
    request_id = log_context.request_id_var.get()
    return "" if request_id == "-" else request_id


def workflow_start(
    *,
    kind: str,
    subject: str,
    workflow: Signature,
    priority: Priority = Priority.NORMAL,
    owner: AbstractBaseUser | None = None,
) -> Job:
    """Record a Job for `workflow` and dispatch it once the current transaction commits.

    The Job is created claimed for this process's dispatch (see dispatch.claimed_job_send)
    unless the broker was unreachable moments ago: then it waits for the sweeper.
    """
    sends_on_commit = not broker_breaker.is_open()
    claimed_at = timezone.now() if sends_on_commit else None
    job = Job.objects.create(
        kind=kind,
        subject=subject,
        owner=owner if owner is not None and owner.is_authenticated else None,
        priority=priority.value,
        request_id=_current_request_id(),
        dispatch_state=Job.DispatchState.DISPATCHING if sends_on_commit else Job.DispatchState.PENDING,
        dispatch_claimed_at=claimed_at,
        dispatch_attempts=1 if sends_on_commit else 0,
        dispatch_error="" if sends_on_commit else BREAKER_OPEN_MESSAGE,
    )
    # Planned once the Job has an id: every message carries it (canvas.job_headers).
    plan = plan_workflow(workflow, priority=priority, headers=job_headers(job_id=job.id, subject=subject))
    job.canvas, job.signature = plan.shape, plan.signature
    job.progress_total = sum(1 for s in plan.steps if s.role == JobStep.Role.STEP)
    job.save(update_fields=["canvas", "signature", "progress_total"])
    _steps_create(job=job, steps=plan.steps, first_position=0)
    if sends_on_commit:
        send = partial(
            claimed_job_send, job_id=job.id, claimed_at=claimed_at, signature=plan.signature,
            subject=subject, request_id=job.request_id,
        )  # fmt: skip
        transaction.on_commit(send, robust=True)
    return job


def _steps_create(*, job: Job, steps: list[PlannedStep], first_position: int) -> None:
    JobStep.objects.bulk_create(
        JobStep(
            job=job,
            position=first_position + offset,
            name=s.name,
            task_name=s.task_name,
            task_id=s.task_id,
            queue=s.queue,
            priority=s.priority,
            role=s.role,
        )
        for offset, s in enumerate(steps)
    )


def workflow_extend(*, job_id: int, stage: str, workflow: Signature) -> bool:
    """Add `workflow` to a running Job as its next stage, dispatched once this transaction commits.

    For workflows whose size only a running task can know: a first step learns, say, how many
    pages there are and then launches a chord over them. The new tasks become steps of the
    same Job (counted in its progress, drawn after what came before) and go out through the
    Job's outbox like any workflow. Idempotent per (job, stage): a redelivered first step
    adds nothing. Returns False when the stage was already added or the Job has finished.
    """
    with transaction.atomic():
        job = Job.objects.select_for_update().get(id=job_id)
        stages = job.canvas["items"] if job.canvas.get("type") == "chain" else [job.canvas]
        if job.is_finished or any(item.get("stage") == stage for item in stages):
            return False
        headers = job_headers(job_id=job.id, subject=job.subject)
        plan = plan_workflow(workflow, priority=Priority(job.priority), headers=headers)
        first_position = (job.steps.aggregate(last=Max("position"))["last"] or 0) + 1
        _steps_create(job=job, steps=plan.steps, first_position=first_position)
        job.canvas = {"type": "chain", "items": [*stages, {**plan.shape, "stage": stage}]}
        # The outbox now holds this stage; what was there before has been sent already.
        job.signature = plan.signature
        job.dispatch_state = Job.DispatchState.PENDING
        job.dispatch_claimed_at = None
        job.dispatch_error = ""
        job.progress_total += sum(1 for s in plan.steps if s.role == JobStep.Role.STEP)
        job.save(update_fields=["canvas", "signature", "dispatch_state", "dispatch_claimed_at",
                                "dispatch_error", "progress_total"])  # fmt: skip
    transaction.on_commit(lambda: job_dispatch(job_id=job_id), robust=True)
    return True


# --- Step updates (called from task signals in shop.platform.jobs.tracking) -----------------------
# Each step event is one transaction of two UPDATEs, the step's row then its Job's: the Job
# learns its progress from counters moved in the statement, and its status is decided in
# the same statement, once, when the last step succeeds or the first one fails. A finished
# Job keeps its status (Job.TRANSITIONS): late steps only move the progress. The step's
# UPDATE is conditional (a step already SUCCESS does not succeed again), so a redelivered
# task never counts twice; the two UPDATEs commit together, so they never disagree. Their
# SQL is written out once (step_statements: the ORM spent ten times the statement's cost
# building it, on the hottest path of the shop).


def step_started(*, job_id: int, task_id: str) -> bool:
    """Mark the step running; False if it must not run (revoked: its Job was cancelled)."""
    now = timezone.now()
    with transaction.atomic():
        moved = step_statements.step_mark_started(task_id=task_id, now=now)
        step_statements.job_touch(job_id=job_id, now=now)
    return moved or not step_statements.step_is_revoked(task_id=task_id)


def step_retried(*, job_id: int, task_id: str, reason: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        step_statements.step_mark_retried(task_id=task_id, reason=reason[:2000])
        step_statements.job_touch(job_id=job_id, now=now)


def step_succeeded(*, job_id: int, task_id: str, counts: bool = True) -> None:
    """`counts`: a workflow step (progress), not an error handler."""
    now = timezone.now()
    with transaction.atomic():
        if step_statements.step_mark_succeeded(task_id=task_id, now=now) and counts:
            step_statements.job_step_count(job_id=job_id, now=now)
        else:
            step_statements.job_touch(job_id=job_id, now=now)


def step_failed(*, job_id: int, task_id: str, name: str, error: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        step_statements.step_mark_failed(task_id=task_id, now=now, error=error[:2000])
        step_statements.job_step_fail(job_id=job_id, now=now, first_error=f"{name}: {error[:2000]}")


def step_revoked(*, job_id: int, task_id: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        step_statements.step_mark_revoked(task_id=task_id, now=now)
        step_statements.job_touch(job_id=job_id, now=now)


def step_job(*, task_id: str) -> int | None:
    """The Job of a task whose message headers are not at hand (see tracking._on_failure)."""
    return JobStep.objects.filter(task_id=task_id).values_list("job_id", flat=True).first()


def job_cancel(*, job_id: int, reason: str = "Cancelled") -> list[str]:
    """Mark a Job cancelled and revoke its steps that have not started; return their ids."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(id=job_id)
        if job.is_finished:
            return []
        job.check_transition(Job.Status.CANCELLED)
        pending = list(
            job.steps.filter(state=JobStep.State.PENDING, role=JobStep.Role.STEP).values_list(
                "task_id", flat=True
            )
        )
        job.steps.filter(task_id__in=pending).update(state=JobStep.State.REVOKED, finished_at=timezone.now())
        job.status = Job.Status.CANCELLED
        job.error = reason
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
    if pending:
        try:
            app.control.revoke(pending)
        except BROKER_ERRORS as exc:
            # Revoked steps are also skipped by the tracking signal if they ever start.
            logger.warning("Could not broadcast revoke for job %s: %s", job_id, exc)
    return pending


def demo_job_start(
    *,
    owner: AbstractBaseUser | None,
    numbers: list[int],
    flaky_failures: int = 1,
    explode: bool = False,
    priority: Priority = Priority.NORMAL,
) -> Job:
    """Start the demo workflow (see shop/platform/jobs/workflows.py)."""
    from .workflows import demo_workflow

    return workflow_start(
        kind="demo",
        subject=f"demo:{len(numbers)}",
        workflow=demo_workflow(numbers=numbers, flaky_failures=flaky_failures, explode=explode),
        priority=priority,
        owner=owner,
    )
