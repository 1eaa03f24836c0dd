"""The step events' written-out SQL (shop/platform/jobs/step_statements.py) decides a Job's
status once: the first failure ends it and names it, later steps only move the progress."""

from __future__ import annotations

import pytest
from celery import group

from shop.platform.jobs import services
from shop.platform.jobs.models import Job, JobStep
from shop.platform.jobs.tasks import demo_square

pytestmark = pytest.mark.django_db


def _job_of_three() -> tuple[Job, list[JobStep]]:
    job = services.workflow_start(
        kind="demo", subject="demo:3", workflow=group(demo_square.si(n) for n in (1, 2, 3))
    )
    return job, list(job.steps.order_by("position"))


def test_the_first_failure_ends_the_job_and_a_later_one_does_not_rename_it():
    job, (first, second, third) = _job_of_three()
    for step in (first, second):
        services.step_started(job_id=job.id, task_id=step.task_id)
    services.step_failed(job_id=job.id, task_id=first.task_id, name="demo_square", error="first broke")
    job.refresh_from_db()
    failed_at = job.finished_at

    services.step_failed(job_id=job.id, task_id=second.task_id, name="demo_square", error="second broke")
    services.step_succeeded(job_id=job.id, task_id=third.task_id)

    job.refresh_from_db()
    assert (job.status, job.error) == (Job.Status.FAILED, "demo_square: first broke")
    assert job.finished_at == failed_at
    assert job.progress_done == 1  # the late success still counts
    assert JobStep.objects.get(id=second.id).error == "second broke"


def test_the_job_succeeds_with_its_last_step_and_a_retry_is_counted_on_the_step():
    job, steps = _job_of_three()
    services.step_started(job_id=job.id, task_id=steps[0].task_id)
    services.step_retried(job_id=job.id, task_id=steps[0].task_id, reason="a moment")
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING
    assert (JobStep.objects.get(id=steps[0].id).retries, job.finished_at) == (1, None)

    for step in steps:
        services.step_succeeded(job_id=job.id, task_id=step.task_id)
        job.refresh_from_db()
        assert (job.status == Job.Status.SUCCEEDED) == (step is steps[-1])

    assert (job.progress_done, job.progress_total) == (3, 3)
    assert job.finished_at is not None and job.started_at <= job.finished_at


def test_a_revoked_step_is_refused_its_start():
    job, (first, *_) = _job_of_three()
    services.step_revoked(job_id=job.id, task_id=first.task_id)

    assert services.step_started(job_id=job.id, task_id=first.task_id) is False
    assert JobStep.objects.get(id=first.id).state == JobStep.State.REVOKED
