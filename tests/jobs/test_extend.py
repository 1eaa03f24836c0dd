"""workflow_extend: a running Job gains a stage that is tracked and dispatched like the first."""

from __future__ import annotations

from celery import chord

from shop.platform.jobs import services
from shop.platform.jobs.models import Job, JobStep
from shop.platform.jobs.steps import step, step_with_result
from tests.harness.jobs import wait_for_job


def _more_squares():
    return chord(
        [step("jobs.demo_square", number=2), step("jobs.demo_square", number=3)],
        step_with_result("jobs.demo_total"),
    )


def test_a_running_job_gains_a_stage_once_and_finishes_with_it(worker):
    job = services.workflow_start(
        kind="demo", subject="demo:extend", workflow=step("tests.demo_pause", value=1, seconds=2)
    )
    wait_for_job(job, status=Job.Status.RUNNING, timeout=30)

    assert services.workflow_extend(job_id=job.id, stage="squares", workflow=_more_squares())
    # A redelivered first step asks again: nothing is added, nothing is sent twice.
    assert not services.workflow_extend(job_id=job.id, stage="squares", workflow=_more_squares())

    job = wait_for_job(job, timeout=60)
    assert job.status == Job.Status.SUCCEEDED
    steps = list(job.steps.order_by("position").values_list("position", "name", "state"))
    assert steps == [
        (0, "demo_pause", JobStep.State.SUCCESS),
        (1, "demo_square", JobStep.State.SUCCESS),
        (2, "demo_square", JobStep.State.SUCCESS),
        (3, "demo_total", JobStep.State.SUCCESS),
    ]
    assert (job.progress_done, job.progress_total) == (4, 4)
    assert job.dispatch_state == Job.DispatchState.DISPATCHED
    assert [item.get("stage") for item in job.canvas["items"]] == [None, "squares"]
    assert job.canvas["items"][1]["type"] == "chord"


def test_a_finished_job_is_not_extended(worker):
    job = wait_for_job(services.demo_job_start(owner=None, numbers=[1], flaky_failures=0))

    assert not services.workflow_extend(job_id=job.id, stage="late", workflow=_more_squares())
    assert job.steps.count() == 4
