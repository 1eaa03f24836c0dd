"""Writes for job tracking: starting workflows, recording steps, cancelling.

`workflow_start` is the one way feature code starts a workflow. It records a Job, its steps
and the serialised canvas in the caller's transaction, and sends the canvas only when that
transaction commits. If the broker is down then, the Job stays "waiting for the broker" and
`shop.jobs.dispatch` sends it later: the work is never lost.
"""

from __future__ import annotations

import logging

from celery.canvas import Signature
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from shop import log_context
from shop.celery import Priority, app

from .canvas import PlannedStep, plan_workflow
from .dispatch import BROKER_ERRORS, job_dispatch
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
    """Record a Job for `workflow` and dispatch it once the current transaction commits."""
    plan = plan_workflow(workflow, priority=priority)
    job = Job.objects.create(
        kind=kind,
        subject=subject,
        owner=owner if owner is not None and owner.is_authenticated else None,
        priority=priority.value,
        canvas=plan.shape,
        signature=plan.signature,
        progress_total=sum(1 for s in plan.steps if s.role == JobStep.Role.STEP),
        request_id=_current_request_id(),
    )
    _steps_create(job=job, steps=plan.steps, first_position=0)
    job_id = job.id
    transaction.on_commit(lambda: job_dispatch(job_id=job_id), robust=True)
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
        plan = plan_workflow(workflow, priority=Priority(job.priority))
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


# --- Step updates (called from task signals in shop.jobs.tracking) -----------------------


def _step_update(task_id: str, **fields) -> int | None:
    """Update a step by task id; return its job id (None for tasks that belong to no Job)."""
    job_id = JobStep.objects.filter(task_id=task_id).values_list("job_id", flat=True).first()
    if job_id is None:
        return None
    JobStep.objects.filter(task_id=task_id).update(**fields)
    return job_id


def step_started(*, task_id: str) -> int | None:
    now = timezone.now()
    job_id = JobStep.objects.filter(task_id=task_id).values_list("job_id", flat=True).first()
    if job_id is None:
        return None
    JobStep.objects.filter(task_id=task_id, started_at__isnull=True).update(started_at=now)
    JobStep.objects.filter(task_id=task_id).exclude(
        state__in=[JobStep.State.SUCCESS, JobStep.State.REVOKED]
    ).update(state=JobStep.State.STARTED)
    job_refresh(job_id=job_id)
    return job_id


def step_retried(*, task_id: str, reason: str) -> None:
    job_id = _step_update(task_id, state=JobStep.State.RETRY, retries=F("retries") + 1, error=reason[:2000])
    if job_id is not None:
        job_refresh(job_id=job_id)


def step_succeeded(*, task_id: str) -> None:
    job_id = _step_update(task_id, state=JobStep.State.SUCCESS, finished_at=timezone.now(), error="")
    if job_id is not None:
        job_refresh(job_id=job_id)


def step_failed(*, task_id: str, error: str) -> None:
    job_id = _step_update(
        task_id, state=JobStep.State.FAILURE, finished_at=timezone.now(), error=error[:2000]
    )
    if job_id is not None:
        job_refresh(job_id=job_id)


def step_revoked(*, task_id: str) -> None:
    job_id = _step_update(task_id, state=JobStep.State.REVOKED, finished_at=timezone.now())
    if job_id is not None:
        job_refresh(job_id=job_id)


def _status_from_steps(job: Job) -> tuple[str, int, str]:
    counts = job.steps.aggregate(
        total=Count("id", filter=Q(role=JobStep.Role.STEP)),
        done=Count("id", filter=Q(role=JobStep.Role.STEP, state=JobStep.State.SUCCESS)),
        active=Count("id", filter=~Q(state=JobStep.State.PENDING)),
        failed=Count("id", filter=Q(state=JobStep.State.FAILURE)),
    )
    error = ""
    if counts["failed"]:
        failed = job.steps.filter(state=JobStep.State.FAILURE).order_by("finished_at").first()
        error = f"{failed.name}: {failed.error}" if failed else ""
        status = Job.Status.FAILED
    elif counts["total"] and counts["done"] == counts["total"]:
        status = Job.Status.SUCCEEDED
    elif counts["active"]:
        status = Job.Status.RUNNING
    else:
        status = Job.Status.PENDING
    return status, counts["done"], error


def job_refresh(*, job_id: int) -> Job:
    """Derive the Job's status and progress from its steps (serialised per Job)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(id=job_id)
        status, done, error = _status_from_steps(job)
        if job.is_finished and status != job.status:
            # A cancelled or failed job stays so; late steps only move the progress.
            status = job.status
        job.check_transition(status)
        now = timezone.now()
        job.progress_done = done
        if status != Job.Status.PENDING and job.started_at is None:
            job.started_at = now
        if status in Job.FINISHED and job.finished_at is None:
            job.finished_at = now
        if error and not job.error:
            job.error = error
        job.status = status
        job.save(
            update_fields=["status", "progress_done", "started_at", "finished_at", "error", "updated_at"]
        )
    return job


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
    """Start the demo workflow (see shop/jobs/workflows.py)."""
    from .workflows import demo_workflow

    return workflow_start(
        kind="demo",
        subject=f"demo:{len(numbers)}",
        workflow=demo_workflow(numbers=numbers, flaky_failures=flaky_failures, explode=explode),
        priority=priority,
        owner=owner,
    )
