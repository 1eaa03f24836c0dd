"""Job tracking on the real worker: steps, progress, retries and failure are recorded."""

from __future__ import annotations

from shop.platform.jobs import services
from shop.platform.jobs.models import Job, JobStep
from tests.factories import StaffFactory
from tests.harness.jobs import wait_for_job


def test_demo_workflow_records_every_step_progress_and_the_retry(worker):
    job = services.demo_job_start(owner=StaffFactory(), numbers=[1, 2, 3], flaky_failures=2)

    job = wait_for_job(job, timeout=60)

    assert job.status == Job.Status.SUCCEEDED
    steps = {s.name: s for s in job.steps.all()}
    assert set(steps) == {"demo_prepare", "demo_square", "demo_flaky", "demo_total"}
    assert job.steps.count() == 6  # prepare, 3 squares, flaky, total
    assert all(s.state == JobStep.State.SUCCESS for s in job.steps.all())
    assert steps["demo_flaky"].retries == 2
    assert (job.progress_done, job.progress_total, job.percent) == (6, 6, 100)
    assert job.started_at <= job.finished_at
    assert all(s.started_at and s.finished_at for s in job.steps.all())
    assert job.dispatch_state == Job.DispatchState.DISPATCHED


def test_a_step_that_fails_for_good_fails_the_job_with_its_error(worker):
    # total = 5² + 2² (the flaky step squares len(numbers) + 1) = 29, which explode refuses.
    job = services.demo_job_start(owner=None, numbers=[5], flaky_failures=0, explode=True)

    job = wait_for_job(job, timeout=60)

    assert job.status == Job.Status.FAILED
    failed = job.steps.get(name="demo_explode")
    assert failed.state == JobStep.State.FAILURE
    assert "ValueError: demo step refuses 29" in failed.error
    assert job.error == f"demo_explode: {failed.error}"
    assert job.progress_done == job.progress_total - 1


def test_retries_exhausted_fail_the_step_after_max_retries(worker):
    job = services.demo_job_start(owner=None, numbers=[2], flaky_failures=10)

    job = wait_for_job(job, timeout=60)

    flaky = job.steps.get(name="demo_flaky")
    assert job.status == Job.Status.FAILED
    assert flaky.state == JobStep.State.FAILURE
    assert flaky.retries == 3  # max_retries
    assert "TransientError: attempt 4 of 11 fails on purpose" in flaky.error
    assert job.steps.get(name="demo_total").state == JobStep.State.PENDING
